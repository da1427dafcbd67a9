import { InvalidArgumentError } from '../errors.js';
import { summarise } from './budget.js';
import { resolveGlobalOptions, type GlobalSearchOptions } from './global-search.js';
import { seededRandom } from './rng.js';
import { Sampler } from './sampler.js';
import type { SearchResult } from './types.js';

/**
 * Bisection on sparsity, the baseline a Bayesian search must beat when accuracy falls
 * monotonically: assume sMin feasible and sMax infeasible, sample the midpoint, keep the half
 * that still contains the crossing. Returns the best feasible sample by objective.
 *
 * @example
 * const r = await bisectionSearch({ sample, baseAccuracy: 0.9, eps: { eps: 0.02, mode: 'absolute' }, budget: 8 });
 */
export async function bisectionSearch(opts: GlobalSearchOptions): Promise<SearchResult<number>> {
  const o = resolveGlobalOptions(opts);
  const sampler = await Sampler.create(opts.sample, o.threshold, header('bisection', o), opts);
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < o.budget; i++) {
    const u = (lo + hi) / 2;
    const s = o.toSparsity(u);
    const p = await sampler.take(1 - s, s, [s]);
    if (p.feasible) lo = u;
    else hi = u;
  }
  return summarise(sampler.samples, o.threshold, o.direction);
}

/**
 * Uniform random sparsities (seeded). Returns the best feasible sample.
 *
 * @example
 * const r = await randomSearch({ sample, baseAccuracy: 0.9, eps: { eps: 0.02, mode: 'absolute' }, budget: 8, seed: 3 });
 */
export async function randomSearch(opts: GlobalSearchOptions): Promise<SearchResult<number>> {
  const o = resolveGlobalOptions(opts);
  const sampler = await Sampler.create(opts.sample, o.threshold, header('random', o), opts);
  const rng = seededRandom(o.seed);
  for (let i = 0; i < o.budget; i++) {
    const s = o.toSparsity(rng.next());
    await sampler.take(1 - s, s, [s]);
  }
  return summarise(sampler.samples, o.threshold, o.direction);
}

/**
 * A dense grid of `budget` evenly spaced sparsities, endpoints included: the oracle of the
 * benchmarks when the budget is large (e.g. 201 points).
 *
 * @example
 * const oracle = await gridSearch({ sample, baseAccuracy: 0.9, eps: { eps: 0.02, mode: 'absolute' }, budget: 201 });
 */
export async function gridSearch(opts: GlobalSearchOptions): Promise<SearchResult<number>> {
  const o = resolveGlobalOptions(opts);
  if (o.budget < 2)
    throw new InvalidArgumentError(`a grid needs a budget of at least 2 points, got ${o.budget}`);
  const sampler = await Sampler.create(opts.sample, o.threshold, header('grid', o), opts);
  for (let i = 0; i < o.budget; i++) {
    const s = o.toSparsity(i / (o.budget - 1));
    await sampler.take(1 - s, s, [s]);
  }
  return summarise(sampler.samples, o.threshold, o.direction);
}

function header(mode: string, o: ReturnType<typeof resolveGlobalOptions>): Record<string, unknown> {
  return { mode, sMin: o.sMin, sMax: o.sMax, budget: o.budget, seed: o.seed, threshold: o.threshold };
}
