import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { wasmThreadCount } from '../backend/init.js';
import { batchDataset } from '../data/batch.js';
import type { Dataset } from '../data/types.js';
import { InvalidArgumentError } from '../errors.js';
import { accuracy } from './evaluate.js';
import { TrainProgressCallback, type TrainProgress } from './progress.js';
import { LearningRateScheduler, learningRateSchedule, type ScheduleKind } from './schedule.js';

export type TrainOptimizerKind = 'adam' | 'sgd';

export interface TrainOptions {
  model: tf.LayersModel;
  data: Dataset;
  epochs: number;
  /** Default 128. */
  batchSize?: number;
  /** 'adam' (default) or 'sgd' (with momentum 0.9). */
  optimizer?: TrainOptimizerKind;
  /** Initial learning rate (default 1e-3 for Adam, 0.05 for SGD). */
  lr?: number;
  /** Default 'cosine'. */
  schedule?: ScheduleKind;
  /** Per-channel normalisation of [0, 1] pixels. */
  mean: number[];
  std: number[];
  augment?: 'cifar' | 'none';
  /** Seeds shuffling and augmentation (default 0). */
  seed?: number;
  /** Per-batch progress reports (e.g. progressPrinter()). */
  onProgress?: (p: TrainProgress) => void;
}

/** What a training run did and reached: the JSON record saved beside a model. */
export interface TrainRecord {
  testAccuracy: number;
  epochs: number;
  batchSize: number;
  optimizer: string;
  lr: number;
  schedule: ScheduleKind;
  augment: string;
  trainImages: number;
  testImages: number;
  secondsPerEpoch: number;
  totalSeconds: number;
  backend: string;
  threads: number;
  history: { epoch: number; loss: number; accuracy: number; seconds: number }[];
  /** 1-minute load average at the end of training: timings on a shared machine need it. */
  loadAverage: number;
  date: string;
}

/**
 * Train a reference classifier with model.fitDataset (categorical cross-entropy, a learning-rate
 * schedule applied per batch), then measure its test accuracy. Returns the run's record. The
 * model stays compiled with the optimizer it trained with; dispose `model.optimizer` with it.
 *
 * @example
 * ```ts
 * const data = await loadMnist();
 * const record = await trainClassifier({ model: lenet5(), data, epochs: 1, mean: MNIST_MEAN, std: MNIST_STD,
 *   onProgress: progressPrinter() });
 * console.log(record.testAccuracy);
 * ```
 */
export async function trainClassifier(opts: TrainOptions): Promise<TrainRecord> {
  const { model, data, epochs } = opts;
  if (!(Number.isInteger(epochs) && epochs >= 1)) {
    throw new InvalidArgumentError(`epochs must be a positive integer, got ${epochs}`);
  }
  const batchSize = opts.batchSize ?? 128;
  const kind = opts.optimizer ?? 'adam';
  const builders: Record<TrainOptimizerKind, (lr: number) => tf.Optimizer> = {
    adam: (lr) => tf.train.adam(lr),
    sgd: (lr) => tf.train.momentum(lr, 0.9),
  };
  if (!builders[kind]) throw new InvalidArgumentError(`optimizer '${kind}' is not one of adam, sgd`);
  const lr = opts.lr ?? (kind === 'adam' ? 1e-3 : 0.05);
  const schedule = opts.schedule ?? 'cosine';
  const numClasses = data.classes.length;
  const norm = {
    normalize: 'standard' as const,
    mean: opts.mean,
    std: opts.std,
    numClasses,
    shape: data.shape,
  };
  const batches = Math.ceil(data.train.count / batchSize);
  const lrAt = learningRateSchedule({ kind: schedule, lr, totalSteps: epochs * batches });

  const optimizer = builders[kind](lr);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const train = batchDataset(data.train, {
    ...norm,
    batchSize,
    shuffle: true,
    seed: opts.seed ?? 0,
    augment: opts.augment ?? 'none',
  });
  const history: TrainRecord['history'] = [];
  let epochStart = 0;
  const timing = new tf.CustomCallback({
    onEpochBegin: async () => {
      epochStart = performance.now();
    },
    onEpochEnd: async (e, logs) => {
      const seconds = (performance.now() - epochStart) / 1000;
      history.push({ epoch: e + 1, loss: logs?.loss ?? NaN, accuracy: logs?.acc ?? NaN, seconds });
    },
  });
  const callbacks: tf.CustomCallback[] = [new LearningRateScheduler(optimizer, lrAt), timing];
  if (opts.onProgress) callbacks.push(new TrainProgressCallback(epochs, batches, opts.onProgress));

  const start = performance.now();
  await model.fitDataset(train, { epochs, callbacks, verbose: 0 });
  const totalSeconds = (performance.now() - start) / 1000;
  const testAccuracy = await accuracy(model, data.test, norm);
  return {
    testAccuracy,
    epochs,
    batchSize,
    optimizer: kind === 'adam' ? 'Adam' : 'SGD momentum 0.9',
    lr,
    schedule,
    augment: opts.augment ?? 'none',
    trainImages: data.train.count,
    testImages: data.test.count,
    secondsPerEpoch: history.reduce((s, h) => s + h.seconds, 0) / history.length,
    totalSeconds,
    backend: tf.getBackend(),
    threads: tf.getBackend() === 'wasm' ? wasmThreadCount() : 1,
    history,
    loadAverage: Number(loadavg()[0].toFixed(2)),
    date: new Date().toISOString(),
  };
}
