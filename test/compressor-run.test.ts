import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Compressor } from '../src/compressor/index.js';
import { DataError, InvalidArgumentError } from '../src/errors.js';
import {
  DirectCompression,
  DivergenceError,
  FineTune,
  GradualPruning,
  IterativePruning,
  LC,
  concatLr,
  constantLr,
  disposeModel,
  evaluate,
  resolveLoss,
  type Batch,
  type RunEvent,
} from '../src/optimizers/index.js';
import { getMask } from '../src/pruning/index.js';
import { Prune } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';

// Three Gaussian blobs in 6-d: a small real classification problem the MLP below learns.
function blobs(n: number, seed: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  return tf.tidy(() => {
    const labels = tf.randomUniform([n], 0, 3, 'int32', seed);
    const centers = tf.tensor2d([
      [2, 0, 0, 1, 0, -1],
      [0, 2, 0, -1, 1, 0],
      [0, 0, 2, 0, -1, 1],
    ]);
    const xs = tf.add(
      tf.gather(centers, labels),
      tf.randomNormal([n, 6], 0, 0.7, 'float32', seed + 1),
    ) as tf.Tensor2D;
    return { xs, ys: tf.oneHot(labels, 3) as tf.Tensor2D };
  });
}

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [6],
        units: 16,
        name: 'fc1',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        name: 'fc2',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
}

const train = blobs(384, 10);
const val = blobs(96, 20);
const test = blobs(96, 30);

function weightsOf(model: tf.LayersModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.dataSync()));
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'condensa-ckpt-'));
}

const lcOptions = {
  steps: 4,
  firstLIterations: 12,
  perLIterations: 8,
  batchSize: 32,
  lr: 0.05,
  lrEnd: 0.01,
  bnImages: 128,
  fineTuneIterations: 8,
};

function compressor(
  extra: Partial<ConstructorParameters<typeof Compressor>[0]> & { model: tf.LayersModel },
): Compressor {
  return new Compressor({
    scheme: new Prune(0.3),
    optimizer: new LC(lcOptions),
    trainData: train,
    valData: val,
    testData: test,
    loss: 'categoricalCrossentropy',
    seed: 5,
    ...extra,
  });
}

describe('Compressor', () => {
  it('resumes after an abort from its checkpoint and ends with exactly the uninterrupted result', async () => {
    const leaks = trackTensors();
    const model = mlp();
    const inputWeights = weightsOf(model);

    const full = await compressor({ model }).run();
    expect(full.aborted).toBe(false);
    expect(full.stats.length).toBe(5); // 4 L-C steps + the final masked fine-tune

    const dir = tmpDir();
    const controller = new AbortController();
    const first = await compressor({
      model,
      checkpointDir: dir,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step' && e.step === 1) controller.abort();
      },
    }).run();
    expect(first.aborted).toBe(true);
    expect(first.stats.length).toBe(2);
    expect(fs.existsSync(path.join(dir, 'checkpoint.json'))).toBe(true);

    const events: RunEvent[] = [];
    const resumed = await compressor({ model, checkpointDir: dir, onEvent: (e) => events.push(e) }).run();
    expect(events[0]).toEqual({ type: 'resume', step: 2 });
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.aborted).toBe(false);
    expect(resumed.stats.map((s) => s.mu)).toEqual(full.stats.map((s) => s.mu));
    expect(resumed.stats.map((s) => s.val!.loss)).toEqual(full.stats.map((s) => s.val!.loss));
    expect(resumed.bestStep).toBe(full.bestStep);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(full.model));
    // The compressed model really is pruned, and the input model was never touched.
    // Prune(0.3) has one global threshold: layers differ, the kernels together keep <= 30%.
    const kernels = ['fc1', 'fc2'].map((n) => full.model.getLayer(n).getWeights()[0].dataSync());
    const kept = kernels.reduce((k, w) => k + w.filter((v) => v !== 0).length, 0);
    expect(kept / kernels.reduce((k, w) => k + w.length, 0)).toBeLessThanOrEqual(0.3);
    expect(Object.values(full.stats[4].density).every((d) => d < 0.5)).toBe(true);
    expect(weightsOf(model)).toEqual(inputWeights);

    // A checkpoint from another run's settings is refused, not mixed in.
    await expect(
      compressor({ model, checkpointDir: dir, optimizer: new LC({ ...lcOptions, muInit: 0.7 }) }).run(),
    ).rejects.toThrow(DataError);

    for (const r of [full, first, resumed]) disposeModel(r.model);
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    leaks.check();
  });

  it('resumes FineTune with its momentum state exactly, and refuses a truncated checkpoint', async () => {
    const leaks = trackTensors();
    const model = mlp();
    const optimizer = () =>
      new FineTune({ iterations: 30, evalEvery: 10, batchSize: 32, lr: 0.05, momentum: 0.9 });
    const full = await compressor({ model, optimizer: optimizer() }).run();
    const dir = tmpDir();
    const controller = new AbortController();
    const first = await compressor({
      model,
      optimizer: optimizer(),
      checkpointDir: dir,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step' && e.step === 0) controller.abort();
      },
    }).run();
    expect(first.aborted).toBe(true);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as {
      meta: { optimizer?: { t: number } };
    };
    // Momentum buffers are part of the checkpoint (FineTune keeps them across steps).
    expect(saved.meta.optimizer?.t).toBe(10);
    const resumed = await compressor({ model, optimizer: optimizer(), checkpointDir: dir }).run();
    expect(resumed.resumedFrom).toBe(1);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(full.model));

    const bin = fs.readdirSync(dir).find((f) => f.endsWith('.bin'))!;
    fs.truncateSync(path.join(dir, bin), 100);
    await expect(compressor({ model, optimizer: optimizer(), checkpointDir: dir }).run()).rejects.toThrow(
      /has 100 bytes, expected/,
    );
    for (const r of [full, first, resumed]) disposeModel(r.model);
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    leaks.check();
  });

  it('rolls back and halves the learning rate on divergence, then stops with the best model so far', async () => {
    const leaks = trackTensors();
    const model = mlp();
    const events: RunEvent[] = [];
    const err = await compressor({
      model,
      optimizer: new LC({ ...lcOptions, lr: 1e9, lrEnd: 1e9 }),
      onEvent: (e) => events.push(e),
    })
      .run()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as Error).message).toMatch(/diverged 3 times/);
    const divs = events.filter((e) => e.type === 'divergence');
    expect(divs.map((e) => (e as { lrScale: number }).lrScale)).toEqual([0.5, 0.25]);
    // Step 0 (direct compression) completed before training diverged: that is the best model.
    const best = (err as DivergenceError).model!;
    expect(best).toBeTruthy();
    const kernel = best.getLayer('fc1').getWeights()[0].dataSync();
    expect(kernel.every((v) => Number.isFinite(v))).toBe(true);
    expect(getMask(best.getLayer('fc1'), 'kernel')).not.toBeNull();
    disposeModel(best);
    model.dispose();
    leaks.check();
  });

  it('FineTune keeps the masks enforced: pruned entries stay zero, survivors are trained', async () => {
    const leaks = trackTensors();
    const model = mlp();
    const direct = await compressor({ model, optimizer: new DirectCompression() }).run();
    const tuned = await compressor({
      model,
      optimizer: new FineTune({ iterations: 40, evalEvery: 20, batchSize: 32, lr: 0.05 }),
    }).run();
    const k0 = direct.model.getLayer('fc1').getWeights()[0].dataSync();
    const k1 = tuned.model.getLayer('fc1').getWeights()[0].dataSync();
    let changed = 0;
    k0.forEach((v, i) => {
      if (v === 0) expect(Math.abs(k1[i])).toBe(0);
      else if (v !== k1[i]) changed++;
    });
    expect(changed).toBeGreaterThan(0);
    expect(tuned.stats.length).toBe(2);
    expect(tuned.val.loss).toBeLessThan(direct.val.loss);
    expect(direct.stats[0].iterations).toBe(0);
    for (const r of [direct, tuned]) disposeModel(r.model);
    model.dispose();
    leaks.check();
  });

  it('IterativePruning and GradualPruning reach the target density through their schedules', async () => {
    const leaks = trackTensors();
    const model = mlp();
    const it1 = await compressor({
      model,
      optimizer: new IterativePruning({ densities: [0.7, 0.5, 0.3], iterationsPerRound: 10, batchSize: 32 }),
    }).run();
    expect(it1.stats.map((s) => s.extra!.targetDensity)).toEqual([0.7, 0.5, 0.3]);
    const overall = (r: typeof it1, j: number): number => {
      const d = r.stats[j].density;
      // Global threshold: weight by kernel size (fc1 6x16, fc2 16x3).
      return (d['fc1/kernel'] * 96 + d['fc2/kernel'] * 48) / 144;
    };
    expect(overall(it1, 0)).toBeCloseTo(0.7, 1);
    expect(overall(it1, 2)).toBeCloseTo(0.3, 1);
    const gp = await compressor({
      model,
      optimizer: new GradualPruning({ iterations: 60, frequency: 10, batchSize: 32, endStep: 40 }),
    }).run();
    const sparsities = gp.stats.map((s) => s.extra!.sparsity);
    expect(sparsities[0]).toBe(0);
    expect(sparsities[4]).toBeCloseTo(0.7, 10);
    for (let j = 1; j < sparsities.length; j++)
      expect(sparsities[j]).toBeGreaterThanOrEqual(sparsities[j - 1]);
    expect(overall(gp, gp.stats.length - 1)).toBeCloseTo(0.3, 1);
    // A custom schedule over the global iteration count: constant while pruning, then lower.
    const held = await compressor({
      model,
      optimizer: new GradualPruning({
        iterations: 60,
        frequency: 10,
        batchSize: 32,
        endStep: 40,
        lrSchedule: concatLr(constantLr(0.05), 40, constantLr(0.001)),
      }),
    }).run();
    expect(held.stats.map((s) => s.lr)).toEqual([0.05, 0.05, 0.05, 0.05, 0.001, 0.001]);
    expect(held.stats.map((s) => s.extra!.sparsity)).toEqual(sparsities);
    for (const r of [it1, gp, held]) disposeModel(r.model);
    model.dispose();
    leaks.check();
  });

  it('takes tf.data.Dataset batches and a loss function as well as tensors', async () => {
    const leaks = trackTensors();
    const model = mlp();
    const rows: tf.Tensor[] = [];
    const asDataset = (d: { xs: tf.Tensor; ys: tf.Tensor }, batch: number) => {
      const xs = tf.unstack(d.xs);
      const ys = tf.unstack(d.ys);
      rows.push(...xs, ...ys);
      return tf.data
        .zip({ xs: tf.data.array(xs), ys: tf.data.array(ys) })
        .batch(batch) as tf.data.Dataset<Batch>;
    };
    const ce = (y: tf.Tensor, p: tf.Tensor) => tf.neg(tf.sum(tf.mul(y, tf.log(tf.add(p, 1e-7))), -1));
    const fromTensors = await evaluate(model, val, resolveLoss('categoricalCrossentropy'));
    const valSet = asDataset(val, 40);
    const fromDataset = await evaluate(model, valSet, ce);
    expect(fromDataset.count).toBe(96);
    expect(fromDataset.accuracy).toBeCloseTo(fromTensors.accuracy, 6);
    expect(fromDataset.loss).toBeCloseTo(fromTensors.loss, 4);
    const r = await compressor({
      model,
      trainData: asDataset(train, 32),
      valData: valSet,
      testData: undefined,
      loss: ce,
      optimizer: new FineTune({ iterations: 30, evalEvery: 15, batchSize: 32, lr: 0.05 }),
    }).run();
    expect(r.stats.length).toBe(2);
    expect(r.test).toBeNull();
    expect(r.val.loss).toBeLessThan(fromTensors.loss);
    disposeModel(r.model);
    model.dispose();
    tf.dispose(rows);
    leaks.check();
  });

  it('rejects bad options with typed errors', () => {
    const model = mlp();
    expect(() => compressor({ model, loss: 'hinge' as 'categoricalCrossentropy' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => compressor({ model, maxDivergences: 0 })).toThrow(/maxDivergences/);
    expect(() => new IterativePruning({ densities: [1.5] })).toThrow(/densities\[0\]/);
    model.dispose();
  });
});
