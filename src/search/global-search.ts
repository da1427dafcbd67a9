import { InvalidArgumentError } from '../errors.js';
import { expectedImprovement, probabilityAbove, straddle } from './acquisitions.js';
import { accuracyThreshold, score, summarise } from './budget.js';
import { GaussianProcess, type GPPrediction } from './gp.js';
import type { KernelName } from './kernels.js';
import { Sampler, type SamplingOptions } from './sampler.js';
import type { AccuracyBudget, Direction, Sample, SampleFn, SearchResult } from './types.js';

/** Options shared by the global search and its baselines. */
export interface GlobalSearchOptions extends SamplingOptions {
  /** Compresses the model at a density (= 1 - sparsity) and reports accuracy and objective. */
  sample: SampleFn<number>;
  /** Accuracy of the uncompressed model, the reference of `eps`. */
  baseAccuracy: number;
  /** Accuracy budget, e.g. `{ eps: 0.02, mode: 'absolute' }`. */
  eps: AccuracyBudget;
  /** Smallest sparsity searched (default 0). */
  sMin?: number;
  /** Largest sparsity searched (default 0.95). */
  sMax?: number;
  /** Number of samples (compressions), default 10. */
  budget?: number;
  /** Seed of every random choice (default 0). */
  seed?: number;
  /** Whether larger or smaller objective values are better (default 'maximize'). */
  direction?: Direction;
}

export interface BayesianGlobalSearchOptions extends GlobalSearchOptions {
  kernel?: KernelName;
  /** Candidate grid resolution over [sMin, sMax] (default 401 points). */
  resolution?: number;
  /**
   * Samples kept for stage 2 (maximising the objective inside the feasible range); default
   * 30% of the budget (at least 1 when the budget is 4 or more).
   */
  stage2Samples?: number;
  /**
   * Whether the objective never gets worse as sparsity grows (throughput, FLOPs, parameters,
   * bytes: default true). Stage 2 then only looks above the best feasible sample; with false it
   * searches the whole feasible range.
   */
  monotoneObjective?: boolean;
  /** How accuracies are warped before the GP sees them (default 'log-drop'; see `warpAccuracy`). */
  accuracyWarp?: 'log-drop' | 'none';
  /**
   * Samples proposed at a time, q (default 1). The sample function is called for all q
   * concurrently (e.g. q jobs for q queue workers), and the next q are proposed once all have
   * finished, so the search is the same whatever order results arrive in, and a seeded search
   * proposes the same samples on any number of workers. Within a batch, each proposal after the
   * first treats the earlier pending ones as observed at the GPs' posterior mean (kriging
   * believer), and keeps at least the feasibility bracket's width / (q + 1) away from them. Why
   * this one: the search places samples by a level-set rule on a bracket as well as by expected
   * improvement, and the believer answers both with the model's own prediction (believed
   * feasibility moves the bracket, believed values shrink the variance there), where a constant
   * liar must invent one lie that decides feasibility, and local penalization is built for EI
   * alone and needs a Lipschitz estimate. The spacing is there because believers alone stacked a
   * batch at the predicted crossing (10 samples instead of 8 to come within 2% of the oracle on
   * the synthetic task at q = 2..8; spaced: 8 at q = 2, 6 at q = 4, 10 at q = 8; bench/distributed). With
   * q = 1 the search is exactly the sequential one.
   */
  batchSize?: number;
}

/** A point the search knows: a finished sample, or a pending one at its believed value. */
interface Point {
  u: number;
  /** Warped accuracy. */
  w: number;
  /** Objective score (larger is better), NaN when not yet predictable. */
  score: number;
  feasible: boolean;
  /** Missed the threshold by more than half the accuracy budget. */
  farBelow: boolean;
}

/** A proposal, with the posteriors its choice computed at that point (reused by the believer). */
interface Choice {
  u: number;
  accuracy?: GPPrediction;
  objective?: GPPrediction;
}

/** Validated common options, in normalised coordinates u in [0,1] <-> s = sMin + u (sMax - sMin). */
export function resolveGlobalOptions(opts: GlobalSearchOptions) {
  const sMin = opts.sMin ?? 0;
  const sMax = opts.sMax ?? 0.95;
  if (!(sMin >= 0 && sMax < 1 && sMin < sMax)) {
    throw new InvalidArgumentError(
      `sparsity range must satisfy 0 <= sMin < sMax < 1, got [${sMin}, ${sMax}]`,
    );
  }
  const budget = opts.budget ?? 10;
  if (!Number.isInteger(budget) || budget < 1) {
    throw new InvalidArgumentError(`budget must be an integer >= 1 (samples), got ${budget}`);
  }
  const direction = opts.direction ?? 'maximize';
  if (direction !== 'maximize' && direction !== 'minimize') {
    throw new InvalidArgumentError(
      `direction must be 'maximize' or 'minimize', got ${JSON.stringify(direction)}`,
    );
  }
  const threshold = accuracyThreshold(opts.baseAccuracy, opts.eps);
  return {
    sMin,
    sMax,
    budget,
    direction,
    threshold,
    seed: opts.seed ?? 0,
    toSparsity: (u: number) => sMin + u * (sMax - sMin),
  };
}

/** Stage 2 samples only where the accuracy GP gives at least this chance of feasibility. */
export const MIN_PROBE_FEASIBILITY = 0.05;

/**
 * Condensa's global sparsity search: one sparsity for the whole scheme, found with Gaussian
 * processes in at most `budget` samples.
 *
 * Stage 1 (level set): find the largest sparsity whose accuracy stays within `eps`. Accuracy
 * falls roughly monotonically with sparsity, so the search keeps a bracket (largest feasible
 * sample, smallest infeasible sample above it) and places each sample by the straddle rule of a
 * GP fitted to the accuracies, restricted to the bracket: while the GP is uncertain this acts
 * like bisection, and once it has seen the shape of the curve it samples where the GP predicts
 * the crossing, which converges faster than halving. Stage 2 (objective): with the remaining
 * samples, maximise constrained expected improvement, EI of the objective's GP times the
 * probability (under the accuracy GP) that the point is feasible; this matters when the
 * objective is not monotone in sparsity (e.g. throughput steps from channel rounding). The
 * result is the best FEASIBLE sample; if none is feasible, the result says so and carries the
 * closest one.
 *
 * @example
 * const result = await globalSearch({
 *   sample: async (density) => ({ accuracy: 0.9 - 0.3 * (1 - density) ** 4, objective: 1 / density }),
 *   baseAccuracy: 0.9,
 *   eps: { eps: 0.02, mode: 'absolute' },
 *   budget: 8,
 *   seed: 1,
 * });
 * console.log(result.best?.sparsity, result.best?.objective);
 */
export async function globalSearch(opts: BayesianGlobalSearchOptions): Promise<SearchResult<number>> {
  const o = resolveGlobalOptions(opts);
  const kernel = opts.kernel ?? 'matern52';
  const resolution = opts.resolution ?? 401;
  if (!Number.isInteger(resolution) || resolution < 3) {
    throw new InvalidArgumentError(`resolution must be an integer >= 3, got ${resolution}`);
  }
  const stage2 = opts.stage2Samples ?? (o.budget >= 4 ? Math.max(1, Math.round(0.3 * o.budget)) : 0);
  if (!Number.isInteger(stage2) || stage2 < 0 || stage2 >= o.budget) {
    throw new InvalidArgumentError(`stage2Samples must be an integer in [0, budget - 1], got ${stage2}`);
  }
  const batchSize = opts.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(`batchSize must be an integer >= 1 (samples at a time), got ${batchSize}`);
  }
  const sampler = await Sampler.create(
    opts.sample,
    o.threshold,
    {
      mode: 'global-bo',
      sMin: o.sMin,
      sMax: o.sMax,
      budget: o.budget,
      seed: o.seed,
      threshold: o.threshold,
      kernel,
      resolution,
      stage2,
      // A batch search proposes other samples: its log must not resume a sequential one.
      ...(batchSize > 1 ? { batchSize } : {}),
    },
    opts,
  );
  const grid = Array.from({ length: resolution }, (_, i) => i / (resolution - 1));
  const step = 1 / (resolution - 1);
  const uOf = (p: Sample<number>): number => (p.sparsity - o.sMin) / (o.sMax - o.sMin);
  // The accuracy scale that matters is the distance from the base accuracy to the threshold;
  // it keeps the first GPs (one or two samples) from being absurdly confident.
  const accuracyScale = Math.max(Math.abs(opts.baseAccuracy - o.threshold), 1e-3);
  // The uncompressed model (sparsity 0) is known for free: its accuracy enters the accuracy GP
  // as an observation, so the first samples are not spent rediscovering it.
  const uDense = -o.sMin / (o.sMax - o.sMin);
  // The GP models a warped accuracy (see `warpAccuracy`); `level` is the threshold warped alike.
  const warp = (a: number) =>
    opts.accuracyWarp === 'none' ? a : warpAccuracy(a, opts.baseAccuracy, accuracyScale);
  const level = warp(o.threshold);
  const farBelowLevel = warp(o.threshold - accuracyScale / 2);
  const observed = (p: Sample<number>): Point => ({
    u: uOf(p),
    w: warp(p.accuracy),
    score: score(p.objective, o.direction),
    feasible: p.feasible,
    // A sample that missed the threshold by more than half the accuracy budget is no noise.
    farBelow: p.accuracy < o.threshold - accuracyScale / 2,
  });
  const fitAccuracy = (points: Point[]) =>
    GaussianProcess.fit(
      [[uDense], ...points.map((p) => [p.u])],
      [warp(opts.baseAccuracy), ...points.map((p) => p.w)],
      {
        kernel,
        bounds: [[0, 1]],
        seed: o.seed + points.length,
        minOutputScale: Math.abs(warp(opts.baseAccuracy) - level),
      },
    );
  const fitObjective = (points: Point[]) => {
    const known = points.filter((p) => Number.isFinite(p.score));
    return GaussianProcess.fit(
      known.map((p) => [p.u]),
      known.map((p) => p.score),
      { kernel, bounds: [[0, 1]], seed: o.seed + 7919 + points.length },
    );
  };
  const monotone = opts.monotoneObjective ?? true;
  let levelSetDone = false;

  // The next point to sample given `points` (samples, then the batch's believed pending ones),
  // with the GP predictions there when the choice computed them; null: nothing worth sampling.
  const propose = (points: Point[], pending: number[], gap: number): Choice | null => {
    if (points.length === 0) return { u: 0.5 };
    const batchEmpty = pending.length === 0;
    const unsampled = (u: number): boolean =>
      points.every((p) => Math.abs(p.u - u) > step / 2) && pending.every((b) => Math.abs(b - u) >= gap);
    if (!levelSetDone && points.length < o.budget - stage2) {
      // Stage 1: level-set search inside the bracket.
      const { lo, hi } = bracket(points, (p) => p.u);
      const candidates =
        lo >= 1 || hi - lo <= 2 * step || (lo < 0 && hi <= 0)
          ? []
          : grid.filter((u) => u > lo && u < hi && unsampled(u));
      if (candidates.length > 0) {
        const post = fitAccuracy(points).predictMany(candidates.map((u) => [u]));
        const k = argmax(
          candidates.map((_, i) => i),
          (i) => straddle(post[i].mean, Math.sqrt(post[i].variance), level),
        );
        return { u: candidates[k], accuracy: post[k] };
      }
      // Believed outcomes closed the bracket: wait for the real ones before moving on.
      if (!batchEmpty) return null;
      levelSetDone = true;
    }
    // Stage 2: constrained expected improvement on the objective. It needs one real objective.
    if (!points.some((p) => Number.isFinite(p.score))) return null;
    // Under monotone accuracy nothing above the lowest infeasible sparsity can be feasible.
    // With a monotone objective, sparsities below the largest feasible one cannot improve on it.
    const { lo, hi } = bracket(points, (p) => p.u);
    const floor = monotone ? lo : -1;
    // Once the bracket has closed, leftover samples may probe past it: measured accuracy is
    // noisy, so the first infeasible sample does not prove that everything above it is
    // infeasible. A sample that missed the threshold by more than half the accuracy budget is
    // no noise, though: under monotone accuracy nothing above it is probed (the GP alone
    // reverts to its prior far from the data and let the CIFAR listing probe 95% sparsity).
    const clearlyInfeasible = points.filter((p) => p.u > lo && p.farBelow).map((p) => p.u);
    const ceiling = hi - lo <= 2 * step ? Math.min(2, ...clearlyInfeasible) : hi;
    const candidates = grid.filter((u) => u > floor && u < ceiling && unsampled(u));
    if (candidates.length === 0) return null;
    const acc = fitAccuracy(points).predictMany(candidates.map((u) => [u]));
    const obj = fitObjective(points).predictMany(candidates.map((u) => [u]));
    const feasibleScores = points.filter((p) => p.feasible && Number.isFinite(p.score)).map((p) => p.score);
    const k = constrainedChoice(acc, obj, level, feasibleScores);
    if (k < 0) return null;
    return { u: candidates[k], accuracy: acc[k], objective: obj[k] };
  };

  // Kriging believer: a pending point counts as observed at the GPs' posterior mean.
  const believe = (points: Point[], c: Choice): Point => {
    const w = (c.accuracy ?? fitAccuracy(points).predictMany([[c.u]])[0]).mean;
    const hasScore = points.some((p) => Number.isFinite(p.score));
    const objective = c.objective ?? (hasScore ? fitObjective(points).predictMany([[c.u]])[0] : null);
    return {
      u: c.u,
      w,
      score: objective ? objective.mean : NaN,
      feasible: w >= level,
      farBelow: w < farBelowLevel,
    };
  };

  while (sampler.samples.length < o.budget) {
    const points = sampler.samples.map(observed);
    const batch: number[] = [];
    // Proposals of one batch keep apart by the bracket's width / (q + 1): believers alone put
    // them next to each other at the predicted crossing; spaced, a batch brackets the crossing
    // like a (q + 1)-section search. No effect at q = 1.
    const known = bracket(points, (p) => p.u);
    const gap = (Math.min(known.hi, 1) - Math.max(known.lo, 0)) / (batchSize + 1);
    const room = () => batch.length < batchSize && sampler.samples.length + batch.length < o.budget;
    while (room()) {
      const choice = propose(points, batch, gap);
      if (!choice) break;
      batch.push(choice.u);
      if (room()) points.push(believe(points, choice));
    }
    if (batch.length === 0) break;
    await sampler.takeMany(
      batch.map((u) => {
        const s = o.toSparsity(u);
        return { density: 1 - s, sparsity: s, coordinates: [s] };
      }),
    );
  }
  return summarise(sampler.samples, o.threshold, o.direction);
}

/**
 * Stage 2's choice among candidates, shared by the global and per-layer searches: the index of
 * the candidate to sample next, or -1 to stop early. Before anything is feasible, the candidate
 * most likely to be feasible. After, constrained expected improvement (EI of the objective times
 * the probability of feasibility) among the candidates with at least MIN_PROBE_FEASIBILITY
 * chance of being feasible: EI of a steep objective far from the data (e.g. throughput at 95%
 * sparsity) can outweigh a feasibility probability of 1e-3, and such a sample is wasted. When no
 * candidate qualifies the search stops rather than spend the budget on hopeless points.
 */
export function constrainedChoice(
  acc: readonly GPPrediction[],
  obj: readonly GPPrediction[],
  level: number,
  feasibleScores: readonly number[],
): number {
  const indices = acc.map((_, i) => i);
  const pFeasible = (i: number) => probabilityAbove(acc[i].mean, Math.sqrt(acc[i].variance), level);
  if (feasibleScores.length === 0) return argmax(indices, pFeasible);
  const plausible = indices.filter((i) => pFeasible(i) >= MIN_PROBE_FEASIBILITY);
  if (plausible.length === 0) return -1;
  const best = Math.max(...feasibleScores);
  const ei = (i: number) => expectedImprovement(obj[i].mean, Math.sqrt(obj[i].variance), best);
  return argmax(plausible, (k) => ei(plausible[k]) * pFeasible(plausible[k]));
}

/**
 * Largest feasible normalised sparsity `lo` (-1 if none) and the smallest infeasible one above
 * it `hi` (2 if none): under monotone accuracy the level crossing lies in (lo, hi).
 */
export function bracket<T extends { feasible: boolean }>(
  samples: T[],
  uOf: (p: T) => number,
): { lo: number; hi: number } {
  let lo = -1;
  for (const p of samples) if (p.feasible) lo = Math.max(lo, uOf(p));
  let hi = 2;
  for (const p of samples) if (!p.feasible && uOf(p) > lo) hi = Math.min(hi, uOf(p));
  return { lo, hi };
}

/** The candidate with the largest value; ties go to the later (higher-sparsity) candidate. */
export function argmax<T>(candidates: T[], value: (i: number) => number): T {
  let bestIndex = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < candidates.length; i++) {
    const v = value(i);
    if (v >= bestValue) {
      bestValue = v;
      bestIndex = i;
    }
  }
  return candidates[bestIndex];
}

/**
 * Warp an accuracy for the level-set GP: -log(drop + floor), with drop = base - accuracy
 * clipped at 0 and floor a quarter of the budget's distance. Accuracy under pruning is flat and
 * then collapses; on a log scale the drop grows roughly linearly with sparsity before the
 * collapse saturates, so a stationary GP interpolates it far better than the raw accuracy
 * (on which it predicts the crossing too early, like regula falsi stalling on one side). The
 * warp is monotone increasing in accuracy, so feasibility is preserved: accuracy >= threshold
 * iff warp(accuracy) >= warp(threshold).
 *
 * @example
 * warpAccuracy(0.9, 0.9, 0.02) > warpAccuracy(0.88, 0.9, 0.02); // true
 */
export function warpAccuracy(accuracy: number, baseAccuracy: number, budgetDistance: number): number {
  return -Math.log(Math.max(baseAccuracy - accuracy, 0) + budgetDistance / 4);
}
