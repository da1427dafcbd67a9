import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { wasmThreadCount } from '../backend/init.js';
import { batchDataset } from '../data/batch.js';
import type { Dataset } from '../data/types.js';
import { InvalidArgumentError } from '../errors.js';
import { BatchStream } from './batch-stream.js';
import { accuracy } from './evaluate.js';
import { trainIterations, type Regularizer } from './loop.js';
import { resolveLoss } from './loss.js';
import type { TrainProgress } from './progress.js';
import { learningRateSchedule, type ScheduleKind } from './schedules.js';
import { loadTrainCheckpoint, saveTrainCheckpoint } from './train-checkpoint.js';
import { tfOptimizerRule } from './update-rule.js';

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
  /** An extra loss term (e.g. an L2 penalty) added to the cross-entropy of every minibatch. */
  regularizer?: Regularizer;
  /**
   * Save the model, the optimizer state and the history here after every epoch, and continue
   * from the saved epoch when a checkpoint of the same settings is there. With SGD the resumed
   * run ends with exactly the weights of an uninterrupted one; tfjs's Adam recomputes its
   * bias-correction powers on restore, which can differ in the last bits.
   */
  checkpointDir?: string;
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
  /** Epochs taken from a checkpoint (0 for a fresh run). */
  resumedFromEpoch: number;
  /** 1-minute load average at the end of training: timings on a shared machine need it. */
  loadAverage: number;
  date: string;
}

/**
 * Train a reference classifier with the one training loop (`trainIterations`: categorical
 * cross-entropy plus the optional regularizer, the learning-rate schedule applied per batch, a
 * tfjs optimizer as the update rule), then measure its test accuracy. Returns the run's record.
 * The model is compiled with the optimizer it trained with (so it saves like a `fit` model);
 * dispose `model.optimizer` with it.
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
  const fingerprint = JSON.stringify({
    layers: model.layers.map((l) => l.name),
    ...{ epochs, batchSize, kind, lr, schedule, seed: opts.seed ?? 0, augment: opts.augment ?? 'none' },
    trainImages: data.train.count,
  });
  const dir = opts.checkpointDir;
  const saved = dir ? await loadTrainCheckpoint(dir, fingerprint, model, optimizer) : null;
  const history: TrainRecord['history'] = saved?.history ?? [];
  const resumedFromEpoch = history.length;
  const train = batchDataset(data.train, {
    ...norm,
    batchSize,
    shuffle: true,
    seed: opts.seed ?? 0,
    augment: opts.augment ?? 'none',
    firstEpoch: resumedFromEpoch,
  });
  // A dataset stream restarts the (reshuffled) dataset when a pass ends: one pass per epoch.
  const stream = new BatchStream(train, { batchSize, seed: opts.seed ?? 0 });
  const rule = tfOptimizerRule(optimizer);
  const loss = resolveLoss('categoricalCrossentropy');
  const start = performance.now();
  for (let epoch = resumedFromEpoch + 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    let seen = 0;
    let lossSum = 0;
    let accSum = 0;
    const offset = (epoch - 1) * batches;
    await trainIterations(model, {
      stream,
      loss,
      optimizer: rule,
      iterations: batches,
      lr: (t) => lrAt(t + offset),
      regularizer: opts.regularizer,
      accuracy: true,
      onIteration: (r) => {
        seen++;
        lossSum += r.loss;
        accSum += r.accuracy ?? 0;
        opts.onProgress?.({
          epoch,
          epochs,
          batch: seen,
          batches,
          loss: lossSum / seen,
          accuracy: accSum / seen,
          seconds: (performance.now() - epochStart) / 1000,
        });
      },
    });
    const seconds = (performance.now() - epochStart) / 1000;
    history.push({ epoch, loss: lossSum / seen, accuracy: accSum / seen, seconds });
    if (dir) await saveTrainCheckpoint(dir, fingerprint, model, optimizer, history);
  }
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
    resumedFromEpoch,
    loadAverage: Number(loadavg()[0].toFixed(2)),
    date: new Date().toISOString(),
  };
}
