import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  BatchStream,
  disposeModel,
  GradientOptimizer,
  constantLr,
  evaluate,
  reestimateBatchNorm,
  resolveLoss,
  trainIterations,
} from '../src/optimizers/index.js';
import { applyMask, getMask } from '../src/pruning/index.js';
import { trackTensors } from './helpers/leaks.js';

function blobs(n: number, seed: number): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  return tf.tidy(() => {
    const labels = tf.randomUniform([n], 0, 3, 'int32', seed);
    const centers = tf.tensor2d([
      [2, 0, 0, 1],
      [0, 2, 0, -1],
      [0, 0, 2, 0],
    ]);
    const xs = tf.add(
      tf.gather(centers, labels),
      tf.randomNormal([n, 4], 0, 0.5, 'float32', seed + 1),
    ) as tf.Tensor2D;
    return { xs: tf.add(tf.mul(xs, 3), 5) as tf.Tensor2D, ys: tf.oneHot(labels, 3) as tf.Tensor2D };
  });
}

function bnModel(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units: 8,
        name: 'fc1',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        name: 'fc2',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
}

describe('training primitives', () => {
  it('SGD step equals tf.train.momentum(lr, m, useNesterov = true) (Condensa/PyTorch Nesterov form)', () => {
    const a = tf.variable(tf.tensor1d([1, -2, 3]));
    const b = tf.variable(tf.tensor1d([1, -2, 3]));
    const theirs = tf.train.momentum(0.1, 0.9, true);
    const leaks = trackTensors();
    const ours = new GradientOptimizer({ kind: 'sgd', momentum: 0.9 });
    for (let i = 0; i < 3; i++) {
      const g = tf.tensor1d([0.5 * i + 0.1, -1, 0.25]);
      ours.apply([a], [g], 0.1);
      theirs.applyGradients([{ name: b.name, tensor: g }]);
      g.dispose();
    }
    const da = Array.from(a.dataSync());
    Array.from(b.dataSync()).forEach((v, k) => expect(da[k]).toBeCloseTo(v, 5));
    expect(da).not.toEqual([1, -2, 3]);
    ours.dispose();
    // Only tfjs's own optimizer state (its momentum accumulator) is left; ours freed its slots.
    leaks.check(1);
    theirs.dispose();
    tf.dispose([a, b]);
  });

  it('Adam and weight decay move weights as their formulas say', () => {
    const leaks = trackTensors();
    const v = tf.tidy(() => tf.variable(tf.tensor1d([1, -1])));
    const g = tf.tensor1d([0.2, -0.4]);
    const zero = tf.zerosLike(g);
    const adam = new GradientOptimizer({ kind: 'adam' });
    adam.apply([v], [g], 0.01);
    // First Adam step moves every weight by lr * sign(g) (bias-corrected moments).
    expect(Array.from(v.dataSync()).map((x) => Number(x.toFixed(5)))).toEqual([0.99, -0.99]);
    const wd = new GradientOptimizer({ kind: 'sgd', momentum: 0, weightDecay: 0.5 });
    wd.apply([v], [zero], 0.1);
    expect(Array.from(v.dataSync())[0]).toBeCloseTo(0.99 - 0.1 * 0.5 * 0.99, 6);
    adam.dispose();
    wd.dispose();
    tf.dispose([v, g, zero]);
    leaks.check();
  });

  it('masked training keeps pruned weights at zero, learns, and updates BatchNorm moving statistics', async () => {
    const data = blobs(256, 3);
    const leaks = trackTensors();
    const model = bnModel(7);
    const mask = tf.tidy(() =>
      tf.cast(tf.greater(tf.randomUniform([4, 8], 0, 1, 'float32', 11), 0.5), 'float32'),
    );
    applyMask(model.getLayer('fc1'), 'kernel', mask);
    const movingBefore = model.getLayer('bn1').getWeights()[2].dataSync().slice();
    const loss = resolveLoss('categoricalCrossentropy');
    const before = await evaluate(model, data, loss);
    const opt = new GradientOptimizer({ kind: 'sgd', momentum: 0.9 });
    const stream = new BatchStream(data, { batchSize: 32, seed: 1 });
    await trainIterations(model, { stream, loss, optimizer: opt, iterations: 60, lr: constantLr(0.05) });
    const after = await evaluate(model, data, loss);
    expect(after.loss).toBeLessThan(before.loss);
    expect(after.accuracy).toBeGreaterThan(0.6);
    const k = model.getLayer('fc1').getWeights()[0].dataSync();
    const m = getMask(model.getLayer('fc1'), 'kernel')!.dataSync();
    m.forEach((bit, i) => {
      if (bit === 0) expect(Math.abs(k[i])).toBe(0);
    });
    const movingAfter = model.getLayer('bn1').getWeights()[2].dataSync();
    expect(Array.from(movingAfter)).not.toEqual(Array.from(movingBefore));
    opt.dispose();
    mask.dispose();
    disposeModel(model);
    leaks.check();
    tf.dispose([data.xs, data.ys]);
  });

  it('reestimateBatchNorm sets moving statistics to the data statistics', async () => {
    const data = blobs(512, 5);
    const leaks = trackTensors();
    const model = bnModel(9);
    const n = await reestimateBatchNorm(model, data, { images: 512, batchSize: 128 });
    expect(n).toBe(1);
    const expected = tf.tidy(() => {
      const h = model.getLayer('fc1').apply(data.xs) as tf.Tensor;
      return tf.moments(h, 0);
    });
    const [, , mean, variance] = model.getLayer('bn1').getWeights();
    Array.from(mean.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected.mean.dataSync()[i], 3));
    // Mean of per-batch variances: close to the full-data variance.
    Array.from(variance.dataSync()).forEach((v, i) =>
      expect(v / expected.variance.dataSync()[i]).toBeGreaterThan(0.9),
    );
    expect((model.getLayer('bn1') as unknown as { momentum: number }).momentum).toBe(0.99);
    tf.dispose([expected.mean, expected.variance]);
    model.dispose();
    leaks.check();
    tf.dispose([data.xs, data.ys]);
  });

  it('BatchStream is seeded, covers each pass without repeats, and resumes mid-pass', async () => {
    const xs = tf.range(0, 10).reshape([10, 1]);
    const ys = tf.range(0, 10).reshape([10, 1]);
    const leaks = trackTensors();
    const take = async (s: BatchStream, n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const b = await s.next();
        out.push(...b.xs.dataSync());
        tf.dispose([b.xs, b.ys]);
      }
      return out;
    };
    const a = new BatchStream({ xs, ys }, { batchSize: 3, seed: 42 });
    const first = await take(a, 3);
    expect(new Set(first).size).toBe(9);
    const saved = a.state();
    const rest = await take(a, 4);
    const b = new BatchStream({ xs, ys }, { batchSize: 3, seed: 42 });
    await b.restore(saved);
    expect(await take(b, 4)).toEqual(rest);
    const c = new BatchStream({ xs, ys }, { batchSize: 3, seed: 43 });
    expect(await take(c, 3)).not.toEqual(first);
    leaks.check();
    tf.dispose([xs, ys]);
  });
});
