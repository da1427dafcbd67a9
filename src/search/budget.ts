import { InvalidArgumentError } from '../errors.js';
import type { AccuracyBudget, Density, Direction, Sample, SearchResult } from './types.js';

/**
 * Accuracy a compressed model needs to stay within `budget` of `baseAccuracy`.
 *
 * @example
 * accuracyThreshold(0.9, { eps: 0.02, mode: 'absolute' }); // 0.88
 * accuracyThreshold(0.9, { eps: 0.02, mode: 'relative' }); // 0.882
 */
export function accuracyThreshold(baseAccuracy: number, budget: AccuracyBudget): number {
  if (!Number.isFinite(baseAccuracy)) {
    throw new InvalidArgumentError(`baseAccuracy must be a finite number, got ${baseAccuracy}`);
  }
  if (!budget || !Number.isFinite(budget.eps) || budget.eps < 0) {
    throw new InvalidArgumentError(`eps must be a number >= 0, got ${JSON.stringify(budget?.eps)}`);
  }
  if (budget.mode === 'absolute') return baseAccuracy - budget.eps;
  if (budget.mode === 'relative') {
    if (budget.eps > 1) throw new InvalidArgumentError(`relative eps must be in [0, 1], got ${budget.eps}`);
    return baseAccuracy * (1 - budget.eps);
  }
  throw new InvalidArgumentError(
    `eps mode must be 'absolute' or 'relative', got ${JSON.stringify(budget.mode)}`,
  );
}

/** Objective value oriented so that larger is better. */
export function score(objective: number, direction: Direction): number {
  return direction === 'minimize' ? -objective : objective;
}

/** Summarise samples into a `SearchResult` (best feasible, or the closest infeasible one). */
export function summarise<D extends Density>(
  samples: Sample<D>[],
  threshold: number,
  direction: Direction,
): SearchResult<D> {
  if (samples.length === 0) throw new InvalidArgumentError('a search needs a budget of at least one sample');
  const better = (a: Sample<D>, b: Sample<D>): boolean =>
    score(a.objective, direction) > score(b.objective, direction);
  let best: Sample<D> | null = null;
  for (const s of samples) if (s.feasible && (!best || better(s, best))) best = s;
  if (best) return { feasible: true, best, closest: best, samples, threshold };
  let closest = samples[0];
  for (const s of samples) {
    if (s.accuracy > closest.accuracy || (s.accuracy === closest.accuracy && better(s, closest))) closest = s;
  }
  return {
    feasible: false,
    best: null,
    closest,
    samples,
    threshold,
    message:
      `no sample met the accuracy threshold ${threshold.toFixed(4)}; closest: sparsity ` +
      `${closest.sparsity.toFixed(4)} with accuracy ${closest.accuracy.toFixed(4)}`,
  };
}
