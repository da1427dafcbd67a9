import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { reestimateBatchNorm } from './batchnorm.js';
import { schemeAtDensity, schemeDensity } from './density-schemes.js';
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

/** The polynomial sparsity schedule's parameters (tfmot's PolynomialDecay). */
export interface PolynomialSchedule {
  initialSparsity: number;
  finalSparsity: number;
  beginStep: number;
  endStep: number;
  /** Exponent (default 3, Zhu & Gupta). */
  power?: number;
}

/**
 * Zhu & Gupta's sparsity at step t: `s_f + (s_i - s_f) (1 - (t - t0)/(t1 - t0))^power`,
 * held at `s_i` before `t0` and at `s_f` after `t1`.
 *
 * @example
 * polynomialSparsity(50, { initialSparsity: 0, finalSparsity: 0.9, beginStep: 0, endStep: 100 }); // 0.7875
 */
export function polynomialSparsity(t: number, s: PolynomialSchedule): number {
  const p = s.power ?? 3;
  if (s.endStep <= s.beginStep) return t >= s.beginStep ? s.finalSparsity : s.initialSparsity;
  const progress = Math.min(1, Math.max(0, (t - s.beginStep) / (s.endStep - s.beginStep)));
  return s.finalSparsity + (s.initialSparsity - s.finalSparsity) * (1 - progress) ** p;
}

/** Options of `GradualPruning`. */
export interface GradualPruningOptions extends TrainingOptions {
  /** Total minibatches (default 2000). */
  iterations?: number;
  /** Masks are updated every this many minibatches; one outer step each (default 100). */
  frequency?: number;
  /** Sparsity at `beginStep` (default 0). */
  initialSparsity?: number;
  /** Final sparsity (default: 1 - the scheme's density). */
  finalSparsity?: number;
  /** First mask update (default 0). */
  beginStep?: number;
  /** Sparsity reaches its final value here (default: 75% of `iterations`, leaving time to recover). */
  endStep?: number;
  power?: number;
  /** Final rate of the geometric decay over all iterations (default 1e-4). */
  lrEnd?: number;
  /**
   * Replace the geometric decay by any schedule over the global iteration count, e.g.
   * `concatLr(constantLr(0.05), endStep, intervalLr(0.05, 1e-3, iterations - endStep))` to
   * prune at a constant rate and decay only while recovering from the final sparsity.
   */
  lrSchedule?: LrSchedule;
}

/**
 * Gradual magnitude pruning (Zhu & Gupta 2017, as tfmot's PolynomialDecay): during training,
 * every `frequency` minibatches the scheme is re-applied at density `1 - s_t` of the polynomial
 * schedule, masks multiply (pruned weights stay pruned) and are enforced after every step.
 * Returns the final model, chosen among the evaluations made at the final sparsity by
 * validation loss.
 *
 * @example
 * ```ts
 * const gp = new GradualPruning({ iterations: 2000, frequency: 100 });
 * ```
 */
export class GradualPruning implements RecoveryOptimizer {
  readonly name = 'GradualPruning';
  readonly options: Required<Omit<GradualPruningOptions, 'finalSparsity' | 'endStep' | 'lrSchedule'>> &
    Pick<GradualPruningOptions, 'finalSparsity' | 'endStep' | 'lrSchedule'>;

  constructor(options: GradualPruningOptions = {}) {
    this.options = {
      iterations: 2000,
      frequency: 100,
      initialSparsity: 0,
      beginStep: 0,
      power: 3,
      ...FINE_TUNING_DEFAULTS,
      ...options,
    };
    const o = this.options;
    checkOptimizerKind('GradualPruning', o.optimizer);
    checkCount('GradualPruning iterations', o.iterations, 1);
    checkCount('GradualPruning frequency', o.frequency, 1);
    checkCount('GradualPruning beginStep', o.beginStep);
    checkRate('GradualPruning lr', o.lr);
    checkRate('GradualPruning lrEnd', o.lrEnd);
    for (const k of ['initialSparsity', 'finalSparsity'] as const) {
      const v = o[k];
      if (v !== undefined && !(v >= 0 && v < 1))
        throw new InvalidArgumentError(`GradualPruning ${k} must be in [0, 1), got ${v}`);
    }
  }

  toJSON(): Record<string, unknown> {
    const { lrSchedule, ...rest } = this.options;
    return { name: this.name, ...rest, lrSchedule: lrSchedule ? 'custom' : undefined };
  }

  plan(): { steps: number; iterations: number } {
    return {
      steps: Math.ceil(this.options.iterations / this.options.frequency),
      iterations: this.options.iterations,
    };
  }

  /** The schedule for a run's scheme (final sparsity from the scheme's density by default). */
  schedule(run: Run): PolynomialSchedule {
    const o = this.options;
    let finalSparsity = o.finalSparsity;
    if (finalSparsity === undefined) {
      const d = schemeDensity(run.scheme);
      if (d === undefined)
        throw new InvalidArgumentError(
          `GradualPruning: scheme '${run.scheme.kind}' has no density; pass finalSparsity`,
        );
      finalSparsity = 1 - d;
    }
    const endStep = o.endStep ?? Math.floor((o.iterations * 0.75) / o.frequency) * o.frequency;
    return {
      initialSparsity: o.initialSparsity,
      finalSparsity,
      beginStep: o.beginStep,
      endStep,
      power: o.power,
    };
  }

  async start(): Promise<void> {}

  async step(run: Run, j: number): Promise<void> {
    const o = this.options;
    const s = this.schedule(run);
    const t = j * o.frequency;
    const sparsity = polynomialSparsity(t, s);
    if (t >= s.beginStep && sparsity > 0)
      schemeAtDensity(run.scheme, 1 - sparsity, 'GradualPruning').pi(run.model);
    const iterations = Math.min(o.frequency, o.iterations - t);
    const global = o.lrSchedule ?? intervalLr(o.lr, Math.min(o.lrEnd, o.lr), o.iterations);
    const trainLoss = await run.train(run.model, {
      iterations,
      batchSize: o.batchSize,
      lr: (i) => global(i + t),
      optimizer: optimizerOptions(o),
    });
    if (o.bnImages > 0) await reestimateBatchNorm(run.model, run.config.trainData, { images: o.bnImages });
    // Candidates for "best" only once the final sparsity is in place.
    const final = t >= s.endStep || j === this.plan().steps - 1;
    const { val, test } = final ? await run.evaluateCandidate(run.model) : { val: null, test: null };
    run.record({
      lr: global(t) * run.lrScale,
      trainLoss,
      iterations,
      val,
      test,
      density: run.density(run.model),
      extra: { sparsity },
    });
  }

  async finish(run: Run): Promise<tf.LayersModel> {
    return run.bestModel();
  }
}
