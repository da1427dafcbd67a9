import { InvalidArgumentError } from '../errors.js';
import type { SearchGoal } from '../objectives/index.js';
import type { RecoveryOptimizer } from '../optimizers/recovery-optimizer.js';
import type { AccuracyBudget, Density, Sample, SampleOutcome } from '../search/index.js';

/**
 * The Compressor's sparsity-search options (Condensa's `objective`/`eps`, plus the budget and
 * where the search runs). A scheme built without a density (`new FilterPrune()`), or any scheme
 * together with `objective`, makes the Compressor search the density before compressing.
 */
export interface CompressorSearchOptions {
  /**
   * What the search improves inside the accuracy budget, e.g.
   * `new searchops.Maximize(objectives.throughput())`. Measured on each sample's model as it
   * would be deployed: compacted first when the scheme is structured (so pass objectives
   * without `compact`). Default when the scheme has no density: `Minimize(params({ nonzero }))`
   * measured as deployed, i.e. the sparsest model within `eps`.
   */
  objective?: SearchGoal;
  /**
   * Accuracy budget: a number is an absolute drop (`0.02` = 2 points of accuracy as a fraction),
   * or `{ eps, mode: 'relative' }` for a fraction of the original accuracy. Default 0.02 absolute.
   */
  eps?: number | AccuracyBudget;
  /** Samples (compressions) the search may spend (default 10). */
  budget?: number;
  /**
   * Cheap proxy compression of each sample (default `DirectCompression({ bnImages: 2048 })`:
   * one-shot pruning plus BatchNorm re-estimation, which does nothing on models without BN).
   * The main `optimizer` only compresses the final model at the chosen density.
   */
  searchOptimizer?: RecoveryOptimizer;
  /** One density for the scheme (Condensa, default) or one per layer (see `perLayerSearch`). */
  mode?: 'global' | 'per-layer';
  /** Sample log directory: a search restarted with the same directory repeats no finished sample. */
  runDir?: string;
  /** Range of (overall) sparsity searched (default [0, 0.95]). */
  searchRange?: { sMin?: number; sMax?: number };
  /** Seed of the search's random choices (default: the Compressor's `seed`, else 0). */
  searchSeed?: number;
  /**
   * Measure the objective on `compact(model)`: default true for structured schemes (filters,
   * neurons), false otherwise.
   */
  measureCompacted?: boolean;
  /** Called after each sample (replayed ones included), e.g. to print a trace. */
  onSample?: (sample: Sample<Density>) => void;
  /**
   * Run the search's samples elsewhere, `batchSize` at a time, e.g. as jobs on BullMQ workers
   * (`queueSampleRunner`). Without it every sample runs in this process (the default). The
   * runner reports what its jobs measure, so their objective must be the one `objective` names.
   */
  queue?: SampleRunner;
}

/** Runs search samples outside the Compressor (e.g. on queue workers). */
export interface SampleRunner {
  /** Samples the search proposes at a time: the number of workers to keep busy. */
  batchSize: number;
  /** Compress with `scheme` (a JSON spec at the sample's density), evaluate, measure. */
  sample(scheme: Record<string, unknown>, density: Density): Promise<SampleOutcome>;
}

/** What the search reports next to the compressed model. */
export interface SearchReport {
  mode: 'global' | 'per-layer';
  /** Every sample in order (replayed ones included). */
  samples: Sample<Density>[];
  /** Whether some sample met the accuracy budget. */
  feasible: boolean;
  /** Density the final model was compressed at (per layer in per-layer mode); the closest sample's when infeasible. */
  chosenDensity: Density;
  /** Overall sparsity of the chosen sample (per-layer mode: weighted by layer FLOPs for structured schemes, else by parameters). */
  chosenSparsity: number;
  /** The chosen sample (best feasible, else the closest to the threshold). */
  chosen: Sample<Density>;
  /** Validation accuracy of the uncompressed model (the reference of eps). */
  baseAccuracy: number;
  /** Accuracy a sample needed. */
  threshold: number;
  /** Objective of the uncompressed model, measured the same way as the samples'. */
  baseObjective: number;
  objectiveName: string;
  direction: 'maximize' | 'minimize';
  /** Why nothing was feasible, when so. */
  message?: string;
}

/** `eps` as the search's budget object. */
export function resolveEps(eps: number | AccuracyBudget | undefined): AccuracyBudget {
  if (eps === undefined) return { eps: 0.02, mode: 'absolute' };
  const budget = typeof eps === 'number' ? { eps, mode: 'absolute' as const } : eps;
  if (!(Number.isFinite(budget.eps) && budget.eps >= 0 && budget.eps < 1)) {
    throw new InvalidArgumentError(`eps must be a number in [0, 1), got ${String(budget.eps)}`);
  }
  if (budget.mode !== 'absolute' && budget.mode !== 'relative') {
    throw new InvalidArgumentError(
      `eps mode must be 'absolute' or 'relative', got ${JSON.stringify(budget.mode)}`,
    );
  }
  return budget;
}
