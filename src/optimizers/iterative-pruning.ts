import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { Scheme } from '../schemes/scheme.js';
import { reestimateBatchNorm } from './batchnorm.js';
import { schemeAtDensity, schemeDensity } from './density-schemes.js';
import type { RecoveryOptimizer } from './recovery-optimizer.js';
import type { Run } from './run.js';
import { intervalLr } from '../training/schedules.js';
import {
  checkCount,
  checkOptimizerKind,
  checkRate,
  optimizerOptions,
  type TrainingOptions,
  FINE_TUNING_DEFAULTS,
} from './training-options.js';

/** Options of `IterativePruning`. */
export interface IterativePruningOptions extends TrainingOptions {
  /** Density of each round, decreasing (default: `rounds` geometric steps down to the scheme's density). */
  densities?: number[];
  /** Number of rounds when `densities` is not given (default 3). */
  rounds?: number;
  /** One scheme per round, for schemes without `withDensity` (overrides `densities`). */
  schemes?: Scheme[];
  /** Retraining minibatches after each pruning round (default 300). */
  iterationsPerRound?: number;
  /** Final learning rate of each round's geometric decay (default 1e-4). */
  lrEnd?: number;
}

/**
 * Iterative pruning (Han et al. 2015): prune -> retrain with masks enforced -> prune more, with a
 * per-round density schedule. Each round re-targets the scheme with `withDensity(d)` and applies
 * it to the already-pruned model (masks multiply, so pruned weights stay pruned); optimizer
 * state is reset per round. Returns the model after the last round.
 *
 * @example
 * ```ts
 * const ip = new IterativePruning({ densities: [0.5, 0.25, 0.1], iterationsPerRound: 200 });
 * ```
 */
export class IterativePruning implements RecoveryOptimizer {
  readonly name = 'IterativePruning';
  readonly options: Required<Omit<IterativePruningOptions, 'densities' | 'schemes'>> &
    Pick<IterativePruningOptions, 'densities' | 'schemes'>;

  constructor(options: IterativePruningOptions = {}) {
    this.options = {
      rounds: 3,
      iterationsPerRound: 300,
      ...FINE_TUNING_DEFAULTS,
      ...options,
    };
    const o = this.options;
    checkOptimizerKind('IterativePruning', o.optimizer);
    checkCount('IterativePruning rounds', o.rounds, 1);
    checkCount('IterativePruning iterationsPerRound', o.iterationsPerRound);
    checkCount('IterativePruning batchSize', o.batchSize, 1);
    checkRate('IterativePruning lr', o.lr);
    checkRate('IterativePruning lrEnd', o.lrEnd);
    if (o.densities) {
      o.densities.forEach((d, i) => {
        if (!(d > 0 && d <= 1))
          throw new InvalidArgumentError(`IterativePruning densities[${i}] must be in (0, 1], got ${d}`);
      });
    }
  }

  toJSON(): Record<string, unknown> {
    const { schemes, ...rest } = this.options;
    return { name: this.name, ...rest, schemes: schemes?.map((s) => s.toJSON()) };
  }

  private roundCount(): number {
    return this.options.schemes?.length ?? this.options.densities?.length ?? this.options.rounds;
  }

  plan(): { steps: number; iterations: number } {
    const n = this.roundCount();
    return { steps: n, iterations: n * this.options.iterationsPerRound };
  }

  /** The scheme and density of round r. */
  private roundScheme(run: Run, r: number): { scheme: Scheme; density: number | undefined } {
    const o = this.options;
    if (o.schemes) return { scheme: o.schemes[r], density: schemeDensity(o.schemes[r]) };
    let d: number;
    if (o.densities) d = o.densities[r];
    else {
      const target = schemeDensity(run.scheme);
      if (target === undefined) {
        throw new InvalidArgumentError(
          `IterativePruning: scheme '${run.scheme.kind}' has no density; pass densities or schemes`,
        );
      }
      d = target ** ((r + 1) / o.rounds);
    }
    return { scheme: schemeAtDensity(run.scheme, d, 'IterativePruning'), density: d };
  }

  async start(): Promise<void> {}

  async step(run: Run, r: number): Promise<void> {
    const o = this.options;
    const { scheme, density } = this.roundScheme(run, r);
    scheme.pi(run.model);
    run.resetOptimizer();
    const schedule = intervalLr(o.lr, Math.min(o.lrEnd, o.lr), Math.max(1, o.iterationsPerRound));
    const trainLoss = await run.train(run.model, {
      iterations: o.iterationsPerRound,
      batchSize: o.batchSize,
      lr: schedule,
      optimizer: optimizerOptions(o),
    });
    if (o.bnImages > 0) await reestimateBatchNorm(run.model, run.config.trainData, { images: o.bnImages });
    // Only the last round is at the target density: earlier rounds must not win "best".
    const last = r === this.roundCount() - 1;
    const { val, test } = last ? await run.evaluateCandidate(run.model) : { val: null, test: null };
    run.record({
      lr: o.iterationsPerRound > 0 ? schedule(0) * run.lrScale : 0,
      trainLoss: o.iterationsPerRound > 0 ? trainLoss : null,
      iterations: o.iterationsPerRound,
      val,
      test,
      density: run.density(run.model),
      extra: density === undefined ? {} : { targetDensity: density },
    });
  }

  async finish(run: Run): Promise<tf.LayersModel> {
    return run.bestModel();
  }
}
