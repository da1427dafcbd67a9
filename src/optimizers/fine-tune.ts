import type * as tf from '@tensorflow/tfjs';
import type { Regularizer } from '../training/loop.js';
import { reestimateBatchNorm } from './batchnorm.js';
import type { RecoveryOptimizer } from './recovery-optimizer.js';
import type { Run } from './run.js';
import { intervalLr, type LrSchedule } from '../training/schedules.js';
import {
  checkCount,
  checkOptimizerKind,
  checkRate,
  optimizerOptions,
  type TrainingOptions,
  FINE_TUNING_DEFAULTS,
} from './training-options.js';

/** Options of `FineTune`. */
export interface FineTuneOptions extends TrainingOptions {
  /** Total minibatches (default 1000). */
  iterations?: number;
  /** Evaluate on validation (one outer step, one checkpoint) every this many minibatches (default 200). */
  evalEvery?: number;
  /** Final learning rate of the geometric decay over all iterations (default 1e-4). */
  lrEnd?: number;
  /** Replace the geometric decay by any schedule over the global iteration count. */
  lrSchedule?: LrSchedule;
  /** Apply the scheme's `pi` first (default true; false = fine-tune an already-compressed model). */
  compress?: boolean;
  /**
   * An extra loss term added to every minibatch's loss (e.g. an L2 or group-lasso penalty on
   * the weights; see `Regularizer`). Validation and model selection keep the task loss.
   */
  regularizer?: Regularizer;
}

/**
 * Masked fine-tuning (Han et al. 2015; Condensa's FineTuner): compress once with `pi`, then
 * train with the masks fixed and re-applied after every optimizer step, so pruned weights stay
 * exactly zero and surviving weights keep their trained values (no re-initialisation). The model
 * with the lowest validation loss over the evaluations is returned.
 *
 * @example
 * ```ts
 * const ft = new FineTune({ iterations: 500, lr: 0.005 });
 * // With an L2 penalty on every trainable weight:
 * const l2 = new FineTune({
 *   regularizer: (m) => tf.mul(1e-4, tf.addN(m.trainableWeights.map((w) => tf.sum(tf.square(w.read()))))),
 * });
 * ```
 */
export class FineTune implements RecoveryOptimizer {
  readonly name = 'FineTune';
  readonly options: Required<Omit<FineTuneOptions, 'lrSchedule' | 'regularizer'>> &
    Pick<FineTuneOptions, 'lrSchedule' | 'regularizer'>;

  constructor(options: FineTuneOptions = {}) {
    this.options = {
      iterations: 1000,
      evalEvery: 200,
      ...FINE_TUNING_DEFAULTS,
      compress: true,
      ...options,
    };
    const o = this.options;
    checkOptimizerKind('FineTune', o.optimizer);
    checkCount('FineTune iterations', o.iterations, 1);
    checkCount('FineTune evalEvery', o.evalEvery, 1);
    checkCount('FineTune batchSize', o.batchSize, 1);
    checkCount('FineTune bnImages', o.bnImages);
    checkRate('FineTune lr', o.lr);
    checkRate('FineTune lrEnd', o.lrEnd);
  }

  toJSON(): Record<string, unknown> {
    const { lrSchedule, regularizer, ...rest } = this.options;
    return {
      name: this.name,
      ...rest,
      lrSchedule: lrSchedule ? 'custom' : undefined,
      regularizer: regularizer ? 'custom' : undefined,
    };
  }

  plan(): { steps: number; iterations: number } {
    return {
      steps: Math.ceil(this.options.iterations / this.options.evalEvery),
      iterations: this.options.iterations,
    };
  }

  async start(run: Run): Promise<void> {
    if (this.options.compress) run.scheme.pi(run.model);
  }

  async step(run: Run, j: number): Promise<void> {
    const o = this.options;
    const offset = j * o.evalEvery;
    const iterations = Math.min(o.evalEvery, o.iterations - offset);
    const global = o.lrSchedule ?? intervalLr(o.lr, Math.min(o.lrEnd, o.lr), o.iterations);
    const trainLoss = await run.train(run.model, {
      iterations,
      batchSize: o.batchSize,
      lr: (t) => global(t + offset),
      optimizer: optimizerOptions(o),
      regularizer: o.regularizer,
    });
    if (o.bnImages > 0) await reestimateBatchNorm(run.model, run.config.trainData, { images: o.bnImages });
    const { val, test } = await run.evaluateCandidate(run.model);
    run.record({
      lr: global(offset) * run.lrScale,
      trainLoss,
      iterations,
      val,
      test,
      density: run.density(run.model),
    });
  }

  async finish(run: Run): Promise<tf.LayersModel> {
    return run.bestModel();
  }
}
