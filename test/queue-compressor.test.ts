import * as tf from '@tensorflow/tfjs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { Compressor } from '../src/compressor/index.js';
import { MNIST_MEAN, MNIST_STD, loadMnist, splitValidation, toTensors } from '../src/data/index.js';
import { DataError, InvalidArgumentError, LayerError } from '../src/errors.js';
import { loadPretrained } from '../src/models/index.js';
import { objectives, searchops } from '../src/objectives/index.js';
import { DirectCompression, LC, disposeModel } from '../src/optimizers/index.js';
import {
  JobQueue,
  modelRef,
  probeJobHandler,
  queueProbeFn,
  queueSampleRunner,
  sampleJobHandler,
  startWorker,
  type JobProvenance,
  type RunningWorker,
  type SampleJob,
} from '../src/queue/index.js';
import { Prune } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';
import { startRedis, type TestRedis } from './helpers/redis-server.js';

// The Compressor's search on the pretrained MNIST LeNet-5 with its samples as real `sample` jobs
// (model by hash, data rebuilt from the recipe) on two in-process workers and a real Redis.
const MODEL_DIR = 'assets/models/lenet5-mnist';
const VAL = { dataset: 'mnist', split: 'validation', count: 500, seed: 0 } as const;
let redis: TestRedis;
let queue: JobQueue;
let workers: RunningWorker[];
let dense: tf.LayersModel;
let valData: { xs: tf.Tensor; ys: tf.Tensor };
let template: Omit<SampleJob, 'scheme' | 'density'>;
let leaks: ReturnType<typeof trackTensors>;

beforeAll(async () => {
  await initBackend();
  leaks = trackTensors();
  redis = await startRedis();
  workers = await Promise.all(
    ['a', 'b'].map((id) =>
      startWorker({
        redis: redis.url,
        workerId: id,
        handlers: {
          sample: sampleJobHandler(),
          // A stand-in measurement: the probe's plumbing is under test here, not a sensitivity method.
          probe: probeJobHandler(async (job, model) => ({
            accuracy: 1 - job.density / 2,
            layers: model.layers.length,
          })),
        },
      }),
    ),
  );
  queue = await JobQueue.open({ redis: redis.url });
  dense = await loadPretrained('lenet5-mnist');
  const mnist = await loadMnist();
  const { val } = splitValidation(mnist.train, { count: VAL.count, seed: VAL.seed });
  valData = toTensors(val, { normalize: 'standard', mean: MNIST_MEAN, std: MNIST_STD, numClasses: 10 });
  template = {
    model: await modelRef(MODEL_DIR),
    data: VAL,
    optimizer: { kind: 'direct', seed: 0 },
    objective: { name: 'nonzero-params', compacted: false },
  };
});

afterAll(async () => {
  await queue?.close();
  await Promise.all((workers ?? []).map((w) => w.close()));
  await redis?.stop();
  dense?.dispose();
  if (valData) tf.dispose([valData.xs, valData.ys]);
  // Closed workers dispose their cached models and data: nothing of the file is left alive.
  leaks.check();
});

const search = (extra: Partial<ConstructorParameters<typeof Compressor>[0]> = {}) =>
  new Compressor({
    model: dense,
    scheme: new Prune(),
    objective: new searchops.Minimize(objectives.params({ nonzero: true })),
    eps: 0.02,
    budget: 4,
    optimizer: new LC({ steps: 1, firstLIterations: 2, batchSize: 32, fineTuneIterations: 0, bnImages: 0 }),
    searchOptimizer: new DirectCompression(),
    trainData: valData,
    valData,
    loss: 'categoricalCrossentropy',
    ...extra,
  }).run();

describe('Compressor search with samples on queue workers', () => {
  it('measures the same samples as the in-process search, recording which worker ran each', async () => {
    const local = await search();
    const remote = await search({ queue: queueSampleRunner(queue, template, 1) });
    try {
      expect(remote.search!.samples.map((s) => s.density)).toEqual(
        local.search!.samples.map((s) => s.density),
      );
      expect(remote.search!.samples.map((s) => s.accuracy)).toEqual(
        local.search!.samples.map((s) => s.accuracy),
      );
      expect(remote.search!.samples.map((s) => s.objective)).toEqual(
        local.search!.samples.map((s) => s.objective),
      );
      expect(remote.search!.chosenSparsity).toBe(local.search!.chosenSparsity);
      for (const s of remote.search!.samples)
        expect(['a', 'b']).toContain((s.extra.job as { workerId: string }).workerId);
    } finally {
      disposeModel(local.model);
      disposeModel(remote.model);
    }
  });

  it('runs a batch of two on both workers at once', async () => {
    // Another optimizer seed: other job ids, so nothing is answered from the first test's jobs.
    const fresh = { ...template, optimizer: { kind: 'direct' as const, seed: 1 } };
    const r = await search({ queue: queueSampleRunner(queue, fresh, 2) });
    disposeModel(r.model);
    expect(r.search!.samples).toHaveLength(4);
    const [a, b] = r.search!.samples.slice(0, 2).map((s) => s.extra.job as JobProvenance);
    expect(a.workerId).not.toBe(b.workerId);
    expect(a.startedAt < b.finishedAt && b.startedAt < a.finishedAt, 'the two jobs overlapped').toBe(true);
  });
});

describe('sensitivity probes as jobs', () => {
  it('returns the accuracy the worker measured for a layer x density probe', async () => {
    const profile = queueProbeFn(queue, {
      model: template.model,
      data: VAL,
      scheme: { scheme: 'Prune' },
      optimizer: template.optimizer,
    });
    const layer = dense.layers.find((l) => l.countParams() > 0)!.name;
    expect(await profile(layer, 0.3)).toBeCloseTo(0.85, 12);
    await expect(profile('no_such_layer', 0.3)).rejects.toThrow(/no layer 'no_such_layer'/);
  });
});

describe('job handlers refuse bad inputs before any work', () => {
  it('refuses model files whose hash differs from the job', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'condensa-model-'));
    try {
      await cp(MODEL_DIR, copy, { recursive: true });
      await writeFile(join(copy, 'extra.txt'), 'not the same files');
      const job: SampleJob = {
        ...template,
        model: { path: copy, sha256: template.model.sha256 },
        scheme: { scheme: 'Prune', density: 0.5 },
        density: 0.5,
      };
      await expect(sampleJobHandler()(job, { jobId: 'x', workerId: 'w', attempt: 1 })).rejects.toThrow(
        DataError,
      );
      await expect(sampleJobHandler()(job, { jobId: 'x', workerId: 'w', attempt: 1 })).rejects.toThrow(
        /hashes to [0-9a-f]{64}, the job expects/,
      );
      // A file:// URL names the same directory; a remote URL is refused before any download.
      const ctx = { jobId: 'x', workerId: 'w', attempt: 1 };
      const asUrl = { ...job, model: { ...job.model, path: pathToFileURL(copy).href } };
      await expect(sampleJobHandler()(asUrl, ctx)).rejects.toThrow(/hashes to [0-9a-f]{64}, the job expects/);
      const remote = { ...job, model: { ...job.model, path: 'https://example.org/lenet5' } };
      await expect(sampleJobHandler()(remote, ctx)).rejects.toThrow(InvalidArgumentError);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it('hands a valid probe to the evaluation function, and names a missing layer', async () => {
    const seen: string[] = [];
    const handler = probeJobHandler(async (job, model) => {
      seen.push(`${model.name}:${job.layer}@${job.density}`);
      return { accuracy: 0.5 };
    });
    const probe = {
      model: template.model,
      data: VAL,
      scheme: { scheme: 'Prune' },
      optimizer: template.optimizer,
    };
    const layer = dense.layers.find((l) => l.countParams() > 0)!.name;
    const ctx = { jobId: 'p', workerId: 'w', attempt: 1 };
    await expect(handler({ ...probe, layer, density: 0.3 }, ctx)).resolves.toEqual({ accuracy: 0.5 });
    expect(seen).toEqual([`${dense.name}:${layer}@0.3`]);
    await expect(handler({ ...probe, layer: 'no_such_layer', density: 0.3 }, ctx)).rejects.toThrow(
      LayerError,
    );
    await handler.dispose?.();
  });
});
