import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

/**
 * A learning-rate schedule: the learning rate to use at iteration `t` (0-based). Schedules are
 * plain functions so they compose with ordinary code (`scaled`, `concat`, or any closure).
 */
export type LrSchedule = (t: number) => number;

function positive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) {
    throw new InvalidArgumentError(`${name} must be a finite number > 0, got ${v}`);
  }
}

function positiveInt(name: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 1)) {
    throw new InvalidArgumentError(`${name} must be an integer >= 1, got ${v}`);
  }
}

/**
 * The same rate at every iteration.
 *
 * @example
 * constantLr(0.01)(1000); // 0.01
 */
export function constantLr(lr: number): LrSchedule {
  positive('lr', lr);
  return () => lr;
}

/**
 * Geometric interpolation from `from` (t = 0) to `to` (t = n - 1), held at `to` afterwards.
 * This is Condensa's IntervalLR, which the L-C optimizer restarts at every L step.
 *
 * @example
 * const s = intervalLr(0.01, 1e-4, 3);
 * [s(0), s(1), s(2)]; // [0.01, 0.001, 0.0001]
 */
export function intervalLr(from: number, to: number, n: number): LrSchedule {
  positive('from', from);
  positive('to', to);
  positiveInt('n', n);
  if (n === 1) return () => from;
  const ratio = Math.log(to / from) / (n - 1);
  return (t) => (t >= n - 1 ? to : from * Math.exp(ratio * Math.max(0, t)));
}

/**
 * Step decay (Condensa's DecayedLR): multiply by `factor` at each iteration listed in `at`.
 *
 * @example
 * const s = stepDecayLr(0.1, [10, 20], 0.1);
 * [s(9), s(10), s(20)]; // [0.1, 0.01, 0.001] (up to rounding)
 */
export function stepDecayLr(lr: number, at: number[], factor: number): LrSchedule {
  positive('lr', lr);
  positive('factor', factor);
  const steps = [...at].sort((a, b) => a - b);
  return (t) => lr * factor ** steps.filter((s) => t >= s).length;
}

/**
 * Exponential decay (Condensa's ExpDecayedLR): `lr * rate^(t / every)`, continuous in `t`.
 *
 * @example
 * exponentialLr(0.1, 0.5, 100)(200); // 0.025
 */
export function exponentialLr(lr: number, rate: number, every = 1): LrSchedule {
  positive('lr', lr);
  positive('rate', rate);
  positive('every', every);
  return (t) => lr * rate ** (t / every);
}

/**
 * Cosine annealing from `from` (t = 0) to `to` (t = n), held at `to` afterwards.
 *
 * @example
 * cosineLr(0.1, 0, 100)(50); // 0.05
 */
export function cosineLr(from: number, to: number, n: number): LrSchedule {
  positive('from', from);
  if (!(Number.isFinite(to) && to >= 0)) throw new InvalidArgumentError(`to must be >= 0, got ${to}`);
  positiveInt('n', n);
  return (t) => {
    const p = Math.min(1, Math.max(0, t / n));
    return to + ((from - to) * (1 + Math.cos(Math.PI * p))) / 2;
  };
}

/**
 * A schedule multiplied by a constant (e.g. halving after a divergence).
 *
 * @example
 * scaledLr(constantLr(0.1), 0.5)(0); // 0.05
 */
export function scaledLr(schedule: LrSchedule, factor: number): LrSchedule {
  return (t) => schedule(t) * factor;
}

/**
 * Run `first` for `n` iterations, then `then` (whose clock restarts at 0): warm-up phases and
 * multi-stage schedules.
 *
 * @example
 * const s = concatLr(constantLr(0.001), 5, intervalLr(0.1, 0.01, 10));
 * [s(4), s(5)]; // [0.001, 0.1]
 */
export function concatLr(first: LrSchedule, n: number, then: LrSchedule): LrSchedule {
  return (t) => (t < n ? first(t) : then(t - n));
}

/** The named schedules of `condensa train` (`learningRateSchedule`). */
export type ScheduleKind = 'constant' | 'cosine' | 'step';

export interface ScheduleOptions {
  kind: ScheduleKind;
  /** Initial learning rate. */
  lr: number;
  /** Total optimizer steps of the run (cosine decays to 0 over them). */
  totalSteps: number;
  /** 'step': multiply by `gamma` every `stepSize` steps. */
  stepSize?: number;
  /** 'step': decay factor (default 0.1). */
  gamma?: number;
}

/**
 * A named schedule over a whole training run: constant, cosine decay to 0 over `totalSteps`
 * (per step, as PyTorch's CosineAnnealingLR stepped per batch), or step decay by `gamma` every
 * `stepSize` steps (default a third of the run).
 *
 * @example
 * ```ts
 * const lrAt = learningRateSchedule({ kind: 'cosine', lr: 0.05, totalSteps: 1000 });
 * lrAt(500); // 0.025
 * ```
 */
export function learningRateSchedule(opts: ScheduleOptions): LrSchedule {
  const { kind, lr, totalSteps } = opts;
  if (!(lr > 0 && Number.isFinite(lr)))
    throw new InvalidArgumentError(`lr must be a positive number, got ${lr}`);
  positiveInt('totalSteps', totalSteps);
  const builders: Record<ScheduleKind, () => LrSchedule> = {
    constant: () => constantLr(lr),
    cosine: () => cosineLr(lr, 0, totalSteps),
    step: () => {
      const every = opts.stepSize ?? Math.ceil(totalSteps / 3);
      const gamma = opts.gamma ?? 0.1;
      return (t) => lr * gamma ** Math.floor(t / every);
    },
  };
  const build = builders[kind];
  if (!build)
    throw new InvalidArgumentError(`schedule '${kind}' is not one of ${Object.keys(builders).join(', ')}`);
  return build();
}

/**
 * Set a tfjs optimizer's learning rate in place. SGD and momentum cache `-lr` as a tensor and
 * must go through their setter; Adam and the others read a plain `learningRate` field per step.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const opt = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof opt.setLearningRate === 'function') opt.setLearningRate(lr);
  else opt.learningRate = lr;
}

/**
 * A `model.fit` callback that applies a schedule before every batch, for code that trains with
 * tfjs's own `fit` rather than `trainIterations`.
 *
 * @example
 * ```ts
 * await model.fitDataset(ds, { epochs: 3, callbacks: [new LearningRateScheduler(optimizer, lrAt)] });
 * ```
 */
export class LearningRateScheduler extends tf.CustomCallback {
  private step = 0;

  constructor(optimizer: tf.Optimizer, lrAt: LrSchedule) {
    super({
      onBatchBegin: async () => {
        setLearningRate(optimizer, lrAt(this.step++));
      },
    });
  }
}
