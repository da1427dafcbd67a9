import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist, MNIST_MEAN, MNIST_STD, stratifiedSubset } from '../src/data/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { loadModel, readRecord } from '../src/io/index.js';
import { lenet5 } from '../src/models/index.js';
import {
  accuracy,
  learningRateSchedule,
  LearningRateScheduler,
  runTraining,
  trainClassifier,
  type TrainProgress,
} from '../src/training/index.js';
import { trackTensors } from './helpers/leaks.js';

const root = mkdtempSync(join(tmpdir(), 'condensa-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('learning-rate schedules', () => {
  it('cosine, step and constant give the textbook values', () => {
    const cos = learningRateSchedule({ kind: 'cosine', lr: 0.1, totalSteps: 100 });
    expect(cos(0)).toBeCloseTo(0.1, 12);
    expect(cos(50)).toBeCloseTo(0.05, 12);
    expect(cos(100)).toBeCloseTo(0, 12);
    expect(cos(150)).toBeCloseTo(0, 12);
    const step = learningRateSchedule({ kind: 'step', lr: 1, totalSteps: 90, stepSize: 30, gamma: 0.5 });
    expect([0, 29, 30, 60, 89].map(step)).toEqual([1, 1, 0.5, 0.25, 0.25]);
    expect(learningRateSchedule({ kind: 'constant', lr: 0.3, totalSteps: 5 })(4)).toBe(0.3);
    expect(() => learningRateSchedule({ kind: 'linear' as never, lr: 1, totalSteps: 5 })).toThrow(/cosine/);
    expect(() => learningRateSchedule({ kind: 'cosine', lr: -1, totalSteps: 5 })).toThrow(
      InvalidArgumentError,
    );
  });

  it('the scheduler callback drives the optimizer that model.fit steps', async () => {
    const leaks = trackTensors();
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [1], units: 1, useBias: false, kernelInitializer: 'zeros' })],
    });
    const optimizer = tf.train.sgd(123); // overwritten by the schedule before every batch
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const seen: number[] = [];
    const lrAt = (step: number) => {
      seen.push(step);
      return 0.1 / (step + 1);
    };
    // Loss (w*1 - 1)^2 has gradient 2(w - 1): with lr 0.1 then 0.05, w = 0.2 then 0.28.
    const x = tf.ones([1, 1]);
    await model.fit(x, x, {
      epochs: 2,
      batchSize: 1,
      verbose: 0,
      callbacks: [new LearningRateScheduler(optimizer, lrAt)],
    });
    expect(seen).toEqual([0, 1]);
    expect(model.getWeights()[0].dataSync()[0]).toBeCloseTo(0.28, 6);
    x.dispose();
    model.dispose();
    optimizer.dispose();
    leaks.check();
  });
});

describe('reference training', () => {
  it('trains LeNet-5 on real MNIST digits, reports progress, and leaks no tensors', async () => {
    const mnist = await loadMnist();
    const data = {
      ...mnist,
      train: stratifiedSubset(mnist.train, { perClass: 60, seed: 1 }),
      test: stratifiedSubset(mnist.test, { perClass: 30, seed: 1 }),
    };
    const leaks = trackTensors();
    const model = lenet5({ seed: 0 });
    const norm = { numClasses: 10, normalize: 'standard' as const, mean: MNIST_MEAN, std: MNIST_STD };
    const untrained = await accuracy(model, data.test, norm);
    const reports: TrainProgress[] = [];
    const record = await trainClassifier({
      model,
      data,
      epochs: 3,
      batchSize: 32,
      lr: 3e-3,
      mean: MNIST_MEAN,
      std: MNIST_STD,
      onProgress: (p) => reports.push(p),
    });
    expect(reports).toHaveLength(3 * Math.ceil(600 / 32));
    expect(reports.at(-1)).toMatchObject({ epoch: 3, epochs: 3, batch: 19, batches: 19 });
    expect(record.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(record.history[2].loss).toBeLessThan(record.history[0].loss);
    expect(record.testAccuracy).toBeGreaterThan(Math.max(0.8, untrained + 0.5)); // 600 digits suffice
    expect(record.testAccuracy).toBe(await accuracy(model, data.test, norm));
    expect(record.backend).toBe(tf.getBackend());
    expect(record.trainImages).toBe(600);
    model.optimizer.dispose();
    model.dispose();
    leaks.check();
  });

  it('runTraining (condensa train) saves a loadable model with its JSON record', async () => {
    const out = join(root, 'lenet');
    const { record, saved } = await runTraining({
      model: 'lenet5',
      dataset: 'mnist',
      epochs: 1,
      perClass: 20,
      out,
      progress: false,
      command: 'test',
    });
    expect(saved?.dir).toBe(out);
    const onDisk = await readRecord(out);
    expect(onDisk).toMatchObject({
      model: 'lenet5',
      dataset: 'mnist',
      epochs: 1,
      command: 'test',
      trainImages: 200,
    });
    expect(onDisk?.testAccuracy).toBe(record.testAccuracy);
    const leaks = trackTensors();
    const model = await loadModel(out);
    expect(model.outputs[0].shape).toEqual([null, 10]);
    model.dispose();
    leaks.check();
    await expect(runTraining({ model: 'lenet5', dataset: 'imagenet', epochs: 1 })).rejects.toThrow(
      /unknown dataset 'imagenet'.*mnist, fashion-mnist, cifar10/,
    );
  });
});
