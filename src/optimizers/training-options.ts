import { InvalidArgumentError } from '../errors.js';
import type { GradientOptimizerOptions, OptimizerKind } from '../training/gradient-optimizer.js';

/** Training settings shared by the recovery methods that train. */
export interface TrainingOptions {
  /** Initial learning rate. */
  lr?: number;
  /** SGD momentum (Nesterov form). */
  momentum?: number;
  /** L2 weight decay on every trainable weight. */
  weightDecay?: number;
  /** `'sgd'` (Nesterov momentum, Condensa's choice) or `'adam'`. */
  optimizer?: OptimizerKind;
  /** Minibatch size. */
  batchSize?: number;
  /**
   * Re-estimate BatchNorm moving statistics on this many training images after each
   * compression (0 = off). See `reestimateBatchNorm`.
   */
  bnImages?: number;
}

/**
 * Defaults of the training settings for the recovery methods that fine-tune (FineTune,
 * IterativePruning, GradualPruning): SGD with Nesterov momentum, lr 0.01 decaying to 1e-4.
 */
export const FINE_TUNING_DEFAULTS = {
  lr: 0.01,
  lrEnd: 1e-4,
  momentum: 0.9,
  weightDecay: 0,
  optimizer: 'sgd',
  batchSize: 128,
  bnImages: 0,
} as const satisfies Required<TrainingOptions> & { lrEnd: number };

/** Validate a count option: a non-negative integer. */
export function checkCount(name: string, v: number, min = 0): void {
  if (!(Number.isInteger(v) && v >= min)) {
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${v}`);
  }
}

/** Validate a rate option: a finite number > 0. */
export function checkRate(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) {
    throw new InvalidArgumentError(`${name} must be a finite number > 0, got ${v}`);
  }
}

/** The gradient optimizer settings of training options with defaults applied. */
export function optimizerOptions(
  o: Required<Pick<TrainingOptions, 'optimizer' | 'momentum' | 'weightDecay'>>,
): GradientOptimizerOptions {
  return { kind: o.optimizer, momentum: o.momentum, weightDecay: o.weightDecay };
}

/** Validate the optimizer kind at construction (not at the first training step). */
export function checkOptimizerKind(who: string, kind: string): void {
  if (kind !== 'sgd' && kind !== 'adam') {
    throw new InvalidArgumentError(`${who} optimizer must be 'sgd' or 'adam', got '${kind}'`);
  }
}
