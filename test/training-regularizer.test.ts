import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Compressor } from '../src/compressor/index.js';
import { FineTune, disposeModel } from '../src/optimizers/index.js';
import { Prune } from '../src/schemes/index.js';
import {
  BatchStream,
  GradientOptimizer,
  constantLr,
  resolveLoss,
  trainIterations,
  type Regularizer,
} from '../src/training/index.js';
import { trackTensors } from './helpers/leaks.js';

function model(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units: 8,
        activation: 'relu',
        kernelInitializer: init(1),
        name: 'a',
      }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(2), name: 'b' }),
    ],
  });
}

function data(n: number, seed: number): { xs: tf.Tensor; ys: tf.Tensor } {
  return tf.tidy(() => {
    const xs = tf.randomNormal([n, 4], 0, 1, 'float32', seed);
    const labels = tf.argMax(tf.matMul(xs, tf.randomNormal([4, 3], 0, 1, 'float32', seed + 1)), -1);
    return { xs, ys: tf.oneHot(labels, 3) };
  });
}

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
const squaredNorm = (m: tf.LayersModel) =>
  tf.tidy(() => tf.addN(m.trainableWeights.map((w) => tf.sum(tf.square(w.read())))).dataSync()[0]);

// The penalty under test: strength * sum of squared trainable weights.
const strength = 0.5;
const l2: Regularizer = (m) =>
  tf.mul(strength, tf.addN(m.trainableWeights.map((w) => tf.sum(tf.square(w.read()))))) as tf.Scalar;

describe('the training loop regularizer hook', () => {
  it('adds the penalty inside the gradient: the same update as its analytic gradient 2 c w', async () => {
    const leaks = trackTensors();
    const d = data(64, 1);
    const run = async (extra: {
      regularizer?: Regularizer;
      extraGradient?: (v: tf.Variable) => tf.Tensor;
    }) => {
      const m = model();
      const optimizer = new GradientOptimizer({ kind: 'sgd', momentum: 0 });
      await trainIterations(m, {
        stream: new BatchStream(d, { batchSize: 16, seed: 0 }),
        loss: resolveLoss('categoricalCrossentropy'),
        optimizer,
        iterations: 3,
        lr: constantLr(0.1),
        ...extra,
      });
      optimizer.dispose();
      const w = weightsOf(m);
      m.dispose();
      return w;
    };
    const plain = await run({});
    const penalised = await run({ regularizer: l2 });
    const analytic = await run({ extraGradient: (v) => tf.mul(v, 2 * strength) });
    penalised.flat().forEach((w, i) => expect(w).toBeCloseTo(analytic.flat()[i], 5));
    // ...and it changes the result: each step shrinks the weights by lr * 2c = 10%.
    const gap = plain.flat().reduce((s, w, i) => s + Math.abs(w - penalised.flat()[i]), 0);
    expect(gap).toBeGreaterThan(0.1);
    tf.dispose([d.xs, d.ys]);
    leaks.check();
  });

  it('FineTune and the Compressor take it: the penalised run ends with smaller weights', async () => {
    const leaks = trackTensors();
    const dense = model();
    const train = data(128, 2);
    const val = data(32, 3);
    const compress = async (o: { tune?: Regularizer; run?: Regularizer }) => {
      const result = await new Compressor({
        model: dense,
        scheme: new Prune(0.5),
        optimizer: new FineTune({
          iterations: 8,
          evalEvery: 8,
          batchSize: 16,
          lr: 0.05,
          regularizer: o.tune,
        }),
        trainData: train,
        valData: val,
        loss: 'categoricalCrossentropy',
        regularizer: o.run,
      }).run();
      const norm = squaredNorm(result.model);
      disposeModel(result.model);
      return { norm, trainLoss: result.stats[0].trainLoss! };
    };
    const plain = await compress({});
    const viaFineTune = await compress({ tune: l2 });
    const viaCompressor = await compress({ run: l2 });
    expect(viaFineTune.norm).toBeLessThan(0.9 * plain.norm);
    // The same penalty given to the optimizer or to the whole run trains the same way.
    expect(viaCompressor.norm).toBeCloseTo(viaFineTune.norm, 4);
    // The minimised (reported) training loss includes the penalty.
    expect(viaFineTune.trainLoss).toBeGreaterThan(plain.trainLoss);
    dense.dispose();
    tf.dispose([train.xs, train.ys, val.xs, val.ys]);
    leaks.check();
  });
});
