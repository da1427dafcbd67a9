/**
 * Shared types of the sparsity searches. A search proposes densities; the caller's sample
 * function compresses the model at that density (e.g. a cheap `DirectCompression` or a short
 * `LC` run), evaluates it and returns its accuracy and objective value.
 */

/** One global density, or one density per layer (keyed by layer name). */
export type Density = number | Record<string, number>;

/** What a sample function reports. Extra JSON-serialisable fields are logged with the sample. */
export interface SampleOutcome {
  /** Accuracy of the compressed model on the search's validation data (fraction in [0,1]). */
  accuracy: number;
  /** Measured objective (e.g. images/s); see `direction` in the search options. */
  objective: number;
  [extra: string]: unknown;
}

/** Context handed to a sample function. */
export interface SampleContext {
  /** 0-based position of the sample in the search. */
  index: number;
  signal?: AbortSignal;
}

/** Compress at `density`, evaluate, report. Called at most `budget` times per search. */
export type SampleFn<D extends Density = number> = (
  density: D,
  context: SampleContext,
) => Promise<SampleOutcome>;

/** The accuracy budget: absolute drop (`base - eps`) or relative drop (`base * (1 - eps)`). */
export interface AccuracyBudget {
  eps: number;
  mode: 'absolute' | 'relative';
}

/** A finished sample as recorded in the log and the result. */
export interface Sample<D extends Density = number> {
  index: number;
  /** What the sample function was called with. */
  density: D;
  /** Overall sparsity of the sample (1 - density for a global search). */
  sparsity: number;
  /** The search's coordinates of the sample (global: [sparsity]; per-layer: [sparsity, alpha]). */
  coordinates: number[];
  accuracy: number;
  objective: number;
  feasible: boolean;
  /** Extra fields the sample function returned. */
  extra: Record<string, unknown>;
  /** True when this sample was read back from the log instead of being recomputed. */
  replayed: boolean;
}

/** Outcome of a search. */
export interface SearchResult<D extends Density = number> {
  /** Whether some sample met the accuracy budget. */
  feasible: boolean;
  /** Best feasible sample by objective, or null when none was feasible. */
  best: Sample<D> | null;
  /**
   * When nothing was feasible: the sample whose accuracy came closest to the threshold (ties
   * to the better objective). When something was feasible, the same as `best`.
   */
  closest: Sample<D>;
  /** Every sample in order (replayed ones included). */
  samples: Sample<D>[];
  /** Accuracy a sample needs to be feasible. */
  threshold: number;
  /** Human-readable reason when infeasible. */
  message?: string;
}

/** Whether the search maximises or minimises the sample function's `objective`. */
export type Direction = 'maximize' | 'minimize';
