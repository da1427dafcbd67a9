import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

/** Learning-rate schedules the reference trainer supports. */
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
 * The learning rate at each optimizer step (0-based): constant, cosine decay to 0 over
 * `totalSteps` (per step, as PyTorch's CosineAnnealingLR stepped per batch), or step decay.
 *
 * @example
 * ```ts
 * const lrAt = learningRateSchedule({ kind: 'cosine', lr: 0.05, totalSteps: 1000 });
 * lrAt(500); // 0.025
 * ```
 */
export function learningRateSchedule(opts: ScheduleOptions): (step: number) => number {
  const { kind, lr, totalSteps } = opts;
  if (!(lr > 0 && Number.isFinite(lr)))
    throw new InvalidArgumentError(`lr must be a positive number, got ${lr}`);
  if (!(Number.isInteger(totalSteps) && totalSteps > 0)) {
    throw new InvalidArgumentError(`totalSteps must be a positive integer, got ${totalSteps}`);
  }
  const schedules: Record<ScheduleKind, (step: number) => number> = {
    constant: () => lr,
    cosine: (step) => 0.5 * lr * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps)),
    step: (step) =>
      lr * (opts.gamma ?? 0.1) ** Math.floor(step / (opts.stepSize ?? Math.ceil(totalSteps / 3))),
  };
  const fn = schedules[kind];
  if (!fn)
    throw new InvalidArgumentError(`schedule '${kind}' is not one of ${Object.keys(schedules).join(', ')}`);
  return fn;
}

/**
 * Set an optimizer's learning rate in place. SGD and momentum cache `-lr` as a tensor and must go
 * through their setter; Adam and the others read a plain `learningRate` field on every step.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const opt = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof opt.setLearningRate === 'function') opt.setLearningRate(lr);
  else opt.learningRate = lr;
}

/**
 * A model.fit callback that applies a schedule before every batch.
 *
 * @example
 * ```ts
 * await model.fitDataset(ds, { epochs: 3, callbacks: [new LearningRateScheduler(optimizer, lrAt)] });
 * ```
 */
export class LearningRateScheduler extends tf.CustomCallback {
  private step = 0;

  constructor(optimizer: tf.Optimizer, lrAt: (step: number) => number) {
    super({
      onBatchBegin: async () => {
        setLearningRate(optimizer, lrAt(this.step++));
      },
    });
  }
}
