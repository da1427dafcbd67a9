import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Compressor } from '../src/compressor/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { FineTune, disposeModel, distillationLoss, evaluate, resolveLoss } from '../src/optimizers/index.js';
import { Prune } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';

const ce = resolveLoss('categoricalCrossentropy');

// Three Gaussian blobs in 4-D: a teacher learns them to ~100% in a few hundred steps.
function blobs(n: number, seed: number): { xs: tf.Tensor2D; labels: tf.Tensor1D } {
  return tf.tidy(() => {
    const labels = tf.randomUniform([n], 0, 3, 'int32', seed) as tf.Tensor1D;
    const centers = tf.tensor2d([
      [3, 0, 0, 1],
      [0, 3, 0, -1],
      [0, 0, 3, 0],
    ]);
    const xs = tf.add(tf.gather(centers, labels), tf.randomNormal([n, 4], 0, 0.5, 'float32', seed + 1));
    return { xs: xs as tf.Tensor2D, labels };
  });
}

function mlp(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units: 16,
        activation: 'relu',
        name: 'fc1',
        kernelInitializer: init(seed),
      }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'fc2', kernelInitializer: init(seed + 1) }),
    ],
  });
}

describe('knowledge distillation', () => {
  it('distillationLoss matches a hand-computed value and reduces to the task loss at alpha 0', () => {
    const leaks = trackTensors();
    const y = tf.tensor2d([[0, 1, 0]]);
    const p = tf.tensor2d([[0.5, 0.3, 0.2]]);
    const q = tf.tensor2d([[0.7, 0.2, 0.1]]);
    // Python: T = 2, alpha = 0.25: softmax(log q / 2) vs softmax(log p / 2) has KL 0.0245743,
    // CE = -log 0.3 = 1.2039728; 0.25 * 4 * KL + 0.75 * CE = 0.9275539.
    const both = distillationLoss(ce, { temperature: 2, alpha: 0.25 })(y, p, q);
    expect(both.shape).toEqual([1]);
    expect(both.dataSync()[0]).toBeCloseTo(0.9275539, 5);
    const hard = distillationLoss(ce, { temperature: 2, alpha: 0 })(y, p, q);
    expect(hard.dataSync()[0]).toBeCloseTo(1.2039728, 5);
    const same = distillationLoss(ce, { temperature: 3, alpha: 1 })(y, q, q);
    expect(same.dataSync()[0]).toBeCloseTo(0, 6);
    tf.dispose([y, p, q, both, hard, same]);
    leaks.check();
  });

  it('rejects a bad temperature or alpha at the Compressor boundary', () => {
    const model = mlp(0);
    const data = { xs: tf.zeros([4, 4]), ys: tf.zeros([4, 3]) };
    const make = (distill: { temperature?: number; alpha?: number }) => () =>
      new Compressor({
        model,
        scheme: new Prune(0.5),
        optimizer: new FineTune(),
        trainData: data,
        valData: data,
        loss: 'categoricalCrossentropy',
        distill,
      });
    expect(make({ temperature: 0 })).toThrow(InvalidArgumentError);
    expect(make({ alpha: 1.5 })).toThrow(/alpha must be in \[0, 1\]/);
    expect(make({ temperature: 2, alpha: 0.5 })).not.toThrow();
    tf.dispose([data.xs, data.ys]);
    model.dispose();
  });

  it('the student follows the teacher, not the training labels, at alpha 1 (and the teacher is untouched)', async () => {
    const train = blobs(600, 1);
    const valSet = blobs(300, 2);
    const trueYs = tf.oneHot(train.labels, 3);
    // Wrong labels: every class shifted by one. Only the teacher knows the truth.
    const wrongYs = tf.tidy(() =>
      tf.oneHot(tf.mod(tf.add(train.labels, tf.scalar(1, 'int32')), tf.scalar(3, 'int32')) as tf.Tensor1D, 3),
    );
    const valData = { xs: valSet.xs, ys: tf.oneHot(valSet.labels, 3) };
    const teacher = mlp(3);
    teacher.compile({
      optimizer: tf.train.adam(0.02),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
    await teacher.fit(train.xs, trueYs, { epochs: 30, batchSize: 64, verbose: 0 });
    const teacherAcc = (await evaluate(teacher, valData, ce)).accuracy;
    expect(teacherAcc).toBeGreaterThan(0.97);
    const teacherWeights = teacher.getWeights().map((w) => Array.from(w.dataSync()));

    const leaks = trackTensors();
    const compress = async (distill: boolean) => {
      const { model, val } = await new Compressor({
        model: teacher,
        scheme: new Prune(0.5),
        // One evaluation at the end, so the returned model is the trained one.
        optimizer: new FineTune({ iterations: 300, evalEvery: 300, batchSize: 32, lr: 0.05, lrEnd: 0.05 }),
        trainData: { xs: train.xs, ys: wrongYs },
        valData,
        loss: 'categoricalCrossentropy',
        distill: distill ? { alpha: 1, temperature: 2 } : false,
      }).run();
      disposeModel(model);
      return val.accuracy;
    };
    const distilled = await compress(true);
    const plain = await compress(false);
    expect(distilled).toBeGreaterThan(0.95);
    expect(plain).toBeLessThan(0.1);
    leaks.check();
    teacher.getWeights().forEach((w, k) => expect(Array.from(w.dataSync())).toEqual(teacherWeights[k]));
    tf.dispose([train.xs, train.labels, valSet.xs, valSet.labels, trueYs, wrongYs, valData.ys]);
    teacher.dispose();
  });
});
