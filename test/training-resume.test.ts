import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Compressor, type CompressorOptions } from '../src/compressor/index.js';
import { DataError } from '../src/errors.js';
import {
  DirectCompression,
  FineTune,
  GradualPruning,
  IterativePruning,
  LC,
  disposeModel,
  type RecoveryOptimizer,
} from '../src/optimizers/index.js';
import { Prune } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';

// Three Gaussian blobs in 6-d: a small real classification problem.
function blobs(n: number, seed: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  return tf.tidy(() => {
    const labels = tf.randomUniform([n], 0, 3, 'int32', seed);
    const centers = tf.tensor2d([
      [2, 0, 0, 1, 0, -1],
      [0, 2, 0, -1, 1, 0],
      [0, 0, 2, 0, -1, 1],
    ]);
    const noise = tf.randomNormal([n, 6], 0, 0.7, 'float32', seed + 1);
    return {
      xs: tf.add(tf.gather(centers, labels), noise) as tf.Tensor2D,
      ys: tf.oneHot(labels, 3) as tf.Tensor2D,
    };
  });
}

// Dense + BatchNorm: the checkpoint must carry moving statistics as well as masked kernels.
function mlp(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 12, name: 'fc1', kernelInitializer: init(1) }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'fc2', kernelInitializer: init(2) }),
    ],
  });
}

const train = blobs(256, 10);
const val = blobs(64, 20);
const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
const common = { batchSize: 32, lr: 0.05 };

// Each recovery method with a few outer steps of a few minibatches; `abortAfter` is the outer
// step after which the first run stops: mid-run for every method with more than one step
// (direct compression has one, so its rerun resumes at the end and only rebuilds the result).
const methods: Array<{
  name: string;
  make: () => RecoveryOptimizer;
  abortAfter: number;
  extra?: Partial<CompressorOptions>;
}> = [
  {
    name: 'LC',
    make: () =>
      new LC({ ...common, steps: 3, firstLIterations: 6, perLIterations: 4, fineTuneIterations: 4 }),
    abortAfter: 1,
  },
  { name: 'FineTune', make: () => new FineTune({ ...common, iterations: 12, evalEvery: 4 }), abortAfter: 1 },
  { name: 'DirectCompression', make: () => new DirectCompression({ bnImages: 64 }), abortAfter: 0 },
  {
    name: 'IterativePruning',
    make: () => new IterativePruning({ ...common, densities: [0.6, 0.3], iterationsPerRound: 5 }),
    abortAfter: 0,
  },
  {
    name: 'GradualPruning',
    make: () => new GradualPruning({ ...common, iterations: 12, frequency: 4, endStep: 8 }),
    abortAfter: 1,
  },
  {
    name: 'FineTune distilled',
    make: () => new FineTune({ ...common, iterations: 9, evalEvery: 3 }),
    abortAfter: 1,
    extra: { distill: { temperature: 2, alpha: 0.5 } },
  },
];

describe('resuming every recovery optimizer from a checkpoint', () => {
  it.each(methods)('$name ends bit-exactly where the uninterrupted run ends', async (m) => {
    const leaks = trackTensors();
    const model = mlp();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'condensa-resume-'));
    const options = (optimizer: RecoveryOptimizer, o: Partial<CompressorOptions> = {}) =>
      new Compressor({
        model,
        scheme: new Prune(0.3),
        optimizer,
        trainData: train,
        valData: val,
        loss: 'categoricalCrossentropy',
        seed: 3,
        ...m.extra,
        ...o,
      });
    const full = await options(m.make()).run();

    const controller = new AbortController();
    const first = await options(m.make(), {
      checkpointDir: dir,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step' && e.step === m.abortAfter) controller.abort();
      },
    }).run();
    expect(first.aborted).toBe(m.name !== 'DirectCompression');
    const resumed = await options(m.make(), { checkpointDir: dir }).run();
    expect(resumed.resumedFrom).toBe(m.abortAfter + 1);
    expect(resumed.stats.map((s) => s.val?.loss ?? null)).toEqual(full.stats.map((s) => s.val?.loss ?? null));
    expect(resumed.bestStep).toBe(full.bestStep);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(full.model));
    // The uninterrupted run did train and prune (a resume of an untouched model proves nothing).
    expect(weightsOf(full.model)).not.toEqual(weightsOf(model));

    for (const r of [full, first, resumed]) disposeModel(r.model);
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    leaks.check();
  });

  it("refuses an older checkpoint's layout with a clear error instead of misreading it", async () => {
    const leaks = trackTensors();
    const model = mlp();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'condensa-resume-'));
    const make = () =>
      new Compressor({
        model,
        scheme: new Prune(0.3),
        optimizer: new DirectCompression(),
        trainData: train,
        valData: val,
        loss: 'categoricalCrossentropy',
        checkpointDir: dir,
      });
    disposeModel((await make().run()).model);
    const file = path.join(dir, 'checkpoint.json');
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; meta: object };
    expect(saved.version).toBe(2);
    fs.writeFileSync(file, JSON.stringify({ ...saved, version: 1 }));
    await expect(make().run()).rejects.toThrow(DataError);
    await expect(make().run()).rejects.toThrow(/version 1 checkpoint.*reads version 2/);
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    leaks.check();
  });
});
