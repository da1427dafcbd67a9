import { readFile, writeFile, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { straddle } from './acquisitions.js';
import { allocateSparsity, type SparsityCost, weightedCost } from './allocation.js';
import { accuracyThreshold, score, summarise } from './budget.js';
import { argmax, constrainedChoice, warpAccuracy } from './global-search.js';
import { GaussianProcess } from './gp.js';
import type { KernelName } from './kernels.js';
import { Sampler, type SamplingOptions } from './sampler.js';
import type { AccuracyBudget, Direction, Sample, SampleFn, SearchResult } from './types.js';

/** File name of the per-layer sensitivity profiles inside a search's `runDir`. */
export const SENSITIVITY_FILE = 'sensitivity.json';

export interface PerLayerSearchOptions extends SamplingOptions {
  /** Layers to prune (names); each gets its own density. */
  layers: string[];
  /** Size of each layer in the overall sparsity (parameters or FLOPs). Default: all equal. */
  sizes?: Record<string, number>;
  /**
   * What the overall sparsity s measures, as a function of the per-layer sparsities (replaces
   * `sizes`): e.g. the fraction of FLOPs removed, with the coupling between a layer's filters and
   * the next layer's input channels (`prunedFlops`). Default: `weightedCost(sizes)`.
   */
  cost?: SparsityCost;
  /**
   * Cheap sensitivity probe: the accuracy with only `layer` compressed to `density` (e.g. a
   * `DirectCompression` of that one layer, no fine-tuning). Called for every layer at each of
   * `profileDensities`, before any sample; not counted in `budget`. With `runDir` the profiles
   * are cached in `sensitivity.json` so a resumed search does not probe again.
   */
  profile?: (layer: string, density: number) => Promise<number>;
  /** Precomputed sensitivities (accuracy lost per layer); replaces `profile`. */
  sensitivities?: Record<string, number>;
  /** Densities each layer is probed at (default [0.5, 0.2]). */
  profileDensities?: number[];
  /** Compresses the model with one density per layer and reports accuracy and objective. */
  sample: SampleFn<Record<string, number>>;
  baseAccuracy: number;
  eps: AccuracyBudget;
  /** Range of the overall (size-weighted) sparsity (default [0, 0.95]). */
  sMin?: number;
  sMax?: number;
  /** Range of the allocation exponent alpha (default [0, 2]); alpha 0 is the uniform allocation. */
  alphaMax?: number;
  /** Exponent used for the first, one-dimensional stage (default 0.5). */
  alphaStart?: number;
  /** Cap on any single layer's sparsity (default 0.98). */
  maxLayerSparsity?: number;
  budget?: number;
  seed?: number;
  direction?: Direction;
  kernel?: KernelName;
  /**
   * Whether the objective never gets worse as the overall sparsity s grows, whatever alpha
   * (default true: right when s measures what the objective tracks, e.g. FLOPs removed for a
   * throughput or FLOPs objective). Stage 2 then only probes above the best feasible s.
   */
  monotoneObjective?: boolean;
}

/** Sensitivity profile: per layer, the accuracy at each probed density, and the summary used. */
export interface SensitivityProfile {
  densities: number[];
  accuracy: Record<string, number[]>;
  sensitivities: Record<string, number>;
}

/**
 * Per-layer sparsity search (beyond Condensa, which searches one global sparsity).
 *
 * A density per layer is a high-dimensional search that ten compressions cannot explore, so
 * the search is made two-dimensional:
 * 1. Sensitivity profiles: each layer is compressed alone at a few densities with a cheap
 *    probe (no fine-tuning) and its accuracy loss summarises how much it matters.
 * 2. A family of allocations with two knobs (`allocateSparsity`): the overall sparsity s (the
 *    fraction of `cost` removed: parameters, or FLOPs counted with the coupling between a
 *    layer's filters and the next layer's input channels) and an exponent alpha that says how
 *    strongly the sensitivities per unit of cost skew the per-layer sparsities. alpha = 0 prunes
 *    every layer by the same fraction; the probes are cheap and noisy, and alpha lets the costly
 *    samples decide how far to trust them.
 * 3. Constrained Bayesian optimisation over (s, alpha): first a level-set search along s at
 *    `alphaStart` (as in the global search), so that a feasible allocation near the accuracy
 *    boundary is known early; then constrained expected improvement (EI of the objective times
 *    the probability of meeting the accuracy budget, both from GPs with ARD Matern kernels in
 *    2-D) over a grid of (s, alpha).
 * The best feasible sample is returned, with its per-layer densities.
 *
 * @example
 * const result = await perLayerSearch({
 *   layers: ['conv1', 'conv2'],
 *   sensitivities: { conv1: 0.05, conv2: 0.01 },
 *   sample: async (densities) => ({ accuracy: evaluate(densities), objective: flops(densities) }),
 *   baseAccuracy: 0.9,
 *   eps: { eps: 0.02, mode: 'absolute' },
 *   direction: 'minimize',
 * });
 */
export async function perLayerSearch(
  opts: PerLayerSearchOptions,
): Promise<SearchResult<Record<string, number>>> {
  const layers = opts.layers;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new InvalidArgumentError('perLayerSearch needs a non-empty list of layer names');
  }
  const cap = opts.maxLayerSparsity ?? 0.98;
  if (!(cap > 0 && cap < 1)) throw new InvalidArgumentError(`need 0 < maxLayerSparsity < 1, got ${cap}`);
  const sizes = opts.sizes;
  const cost = opts.cost ?? weightedCost(Object.fromEntries(layers.map((l) => [l, sizes ? sizes[l] : 1])));
  // The largest overall sparsity any allocation reaches: every layer at the cap.
  const reach = cost(Object.fromEntries(layers.map((l) => [l, cap])));
  if (!(reach > 0 && reach <= 1)) {
    throw new InvalidArgumentError(
      `the cost must return the fraction of the model's cost removed, in (0, 1] with every layer pruned; got ${reach}`,
    );
  }
  const sMin = opts.sMin ?? 0;
  const sMax = opts.sMax ?? Math.min(0.95, reach);
  if (!(sMin >= 0 && sMin < sMax && sMax <= reach + 1e-12)) {
    throw new InvalidArgumentError(
      `need 0 <= sMin < sMax <= ${+reach.toFixed(6)} (the cost removed with every layer at maxLayerSparsity ` +
        `${cap}), got sMin ${sMin}, sMax ${sMax}`,
    );
  }
  const alphaMax = opts.alphaMax ?? 2;
  const alphaStart = opts.alphaStart ?? 0.5;
  if (!(alphaMax > 0 && alphaStart >= 0 && alphaStart <= alphaMax)) {
    throw new InvalidArgumentError(
      `need alphaMax > 0 and 0 <= alphaStart <= alphaMax, got ${alphaMax}, ${alphaStart}`,
    );
  }
  const budget = opts.budget ?? 10;
  if (!Number.isInteger(budget) || budget < 1)
    throw new InvalidArgumentError(`budget must be an integer >= 1, got ${budget}`);
  const seed = opts.seed ?? 0;
  const direction = opts.direction ?? 'maximize';
  const kernel = opts.kernel ?? 'matern52';
  const threshold = accuracyThreshold(opts.baseAccuracy, opts.eps);
  const sensitivities = opts.sensitivities ?? (await sensitivityProfile(opts)).sensitivities;
  for (const l of layers) {
    if (!(sensitivities[l] >= 0)) throw new InvalidArgumentError(`no sensitivity for layer '${l}'`);
  }
  // A floor keeps insensitive layers (zero measured loss) from getting infinite preference.
  const distance = Math.max(opts.baseAccuracy - threshold, 1e-3);
  const floored = Object.fromEntries(layers.map((l) => [l, Math.max(sensitivities[l], distance / 100)]));

  const sampler = await Sampler.create(
    opts.sample,
    threshold,
    {
      mode: 'per-layer-bo',
      layers,
      sMin,
      sMax,
      alphaMax,
      alphaStart,
      cap,
      budget,
      seed,
      threshold,
      sensitivities: floored,
      // What s measures, as the cost each layer removes alone per unit of sparsity.
      shares: Object.fromEntries(layers.map((l) => [l, cost({ [l]: 0.5 }) / 0.5])),
    },
    opts,
  );
  const toS = (u: number) => sMin + u * (sMax - sMin);
  const take = (u: number, v: number): Promise<Sample<Record<string, number>>> => {
    const s = toS(u);
    const alpha = v * alphaMax;
    const sparsities = allocateSparsity(s, alpha, floored, cost, cap);
    const densities = Object.fromEntries(layers.map((l) => [l, 1 - sparsities[l]]));
    return sampler.take(densities, s, [s, alpha]);
  };
  const coords = (p: Sample<Record<string, number>>) => [
    (p.coordinates[0] - sMin) / (sMax - sMin),
    p.coordinates[1] / alphaMax,
  ];
  const warp = (a: number) => warpAccuracy(a, opts.baseAccuracy, distance);
  const level = warp(threshold);
  // The dense model has every alpha's allocation at s = 0: three free observations.
  const uDense = -sMin / (sMax - sMin);
  const dense = [0, 0.5, 1].map((v) => [uDense, v]);
  const fitAccuracy = () =>
    GaussianProcess.fit(
      [...dense, ...sampler.samples.map(coords)],
      [...dense.map(() => warp(opts.baseAccuracy)), ...sampler.samples.map((p) => warp(p.accuracy))],
      {
        kernel,
        bounds: [
          [0, 1],
          [0, 1],
        ],
        seed: seed + sampler.samples.length,
        minOutputScale: Math.abs(warp(opts.baseAccuracy) - level),
      },
    );
  const vStart = alphaStart / alphaMax;
  const resolution = 201;
  const line = Array.from({ length: resolution }, (_, i) => i / (resolution - 1));
  const near = (a: number[], b: number[]) =>
    Math.abs(a[0] - b[0]) < 0.5 / (resolution - 1) && Math.abs(a[1] - b[1]) < 0.02;
  const unsampled = (c: number[]) => sampler.samples.every((p) => !near(coords(p), c));

  // Stage 1: level set along s at alphaStart (bracketed straddle, as in the global search).
  const stage1 = Math.max(1, Math.ceil(budget / 2));
  await take(0.5, vStart);
  while (sampler.samples.length < stage1) {
    const onLine = sampler.samples.filter((p) => Math.abs(coords(p)[1] - vStart) < 1e-9);
    let lo = -1;
    let hi = 2;
    for (const p of onLine) if (p.feasible) lo = Math.max(lo, coords(p)[0]);
    for (const p of onLine) if (!p.feasible && coords(p)[0] > lo) hi = Math.min(hi, coords(p)[0]);
    if (lo >= 1 || hi - lo <= 2 / (resolution - 1)) break;
    const candidates = line.filter((u) => u > lo && u < hi && unsampled([u, vStart]));
    if (candidates.length === 0) break;
    const post = fitAccuracy().predictMany(candidates.map((u) => [u, vStart]));
    await take(
      argmax(candidates, (i) => straddle(post[i].mean, Math.sqrt(post[i].variance), level)),
      vStart,
    );
  }

  // Stage 2: constrained EI over the (s, alpha) plane, with the global search's guards (the
  // per-layer CIFAR listing spent samples on 65% and 95% sparsity and on the dense corner):
  // - s = 0 is the dense model for every alpha, already known: never a candidate;
  // - a sample that missed the threshold by more than half the accuracy budget is no noise:
  //   nothing at a larger overall sparsity is probed, whatever its alpha (alpha moves accuracy
  //   by less than that at a given s);
  // - once something is feasible, a probe needs a >= 5% chance of feasibility, and the search
  //   stops early when no candidate has one;
  // - with a monotone objective, nothing at or below the best feasible s can improve on it (the
  //   objective GP has no data along alpha far from the samples, and its prior there twice
  //   drew a nearly dense probe in the CIFAR listing).
  const monotone = opts.monotoneObjective ?? true;
  const plane: number[][] = [];
  for (let i = 0; i <= 100; i++) {
    for (let j = 0; j <= 20; j++) if (toS(i / 100) > 0) plane.push([i / 100, j / 20]);
  }
  while (sampler.samples.length < budget) {
    const clearlyOut = sampler.samples
      .filter((p) => p.accuracy < threshold - distance / 2)
      .map((p) => coords(p)[0]);
    const ceiling = Math.min(2, ...clearlyOut);
    const feasibleS = sampler.samples.filter((p) => p.feasible).map((p) => coords(p)[0]);
    const floor = monotone ? Math.max(-1, ...feasibleS) : -1;
    const candidates = plane.filter((c) => c[0] > floor && c[0] < ceiling && unsampled(c));
    if (candidates.length === 0) break;
    const acc = fitAccuracy().predictMany(candidates);
    const objectiveGp = GaussianProcess.fit(
      sampler.samples.map(coords),
      sampler.samples.map((p) => score(p.objective, direction)),
      {
        kernel,
        bounds: [
          [0, 1],
          [0, 1],
        ],
        seed: seed + 7919 + sampler.samples.length,
      },
    );
    const obj = objectiveGp.predictMany(candidates);
    const feasible = sampler.samples.filter((p) => p.feasible).map((p) => score(p.objective, direction));
    const k = constrainedChoice(acc, obj, level, feasible);
    if (k < 0) break;
    const c = candidates[k];
    await take(c[0], c[1]);
  }
  return summarise(sampler.samples, threshold, direction);
}

/**
 * Probe every layer alone at `profileDensities` and summarise its sensitivity as the mean
 * accuracy loss (clipped at 0). Cached in `runDir/sensitivity.json` when a run directory is given.
 */
export async function sensitivityProfile(opts: PerLayerSearchOptions): Promise<SensitivityProfile> {
  const densities = opts.profileDensities ?? [0.5, 0.2];
  const cache = opts.runDir ? join(opts.runDir, SENSITIVITY_FILE) : null;
  if (cache) {
    try {
      const cached = JSON.parse(await readFile(cache, 'utf8')) as SensitivityProfile;
      if (
        JSON.stringify(cached.densities) === JSON.stringify(densities) &&
        opts.layers.every((l) => l in cached.sensitivities)
      ) {
        return cached;
      }
    } catch {
      // No cache (or an unreadable one): probe again.
    }
  }
  if (!opts.profile)
    throw new InvalidArgumentError('perLayerSearch needs either `sensitivities` or a `profile` callback');
  const accuracy: Record<string, number[]> = {};
  const sensitivities: Record<string, number> = {};
  for (const layer of opts.layers) {
    accuracy[layer] = [];
    for (const d of densities) {
      opts.signal?.throwIfAborted();
      accuracy[layer].push(await opts.profile(layer, d));
    }
    sensitivities[layer] =
      accuracy[layer].reduce((a, acc) => a + Math.max(opts.baseAccuracy - acc, 0), 0) / densities.length;
  }
  const result = { densities, accuracy, sensitivities };
  if (cache) {
    await mkdir(opts.runDir!, { recursive: true });
    await writeFile(cache + '.tmp', JSON.stringify(result));
    await rename(cache + '.tmp', cache);
  }
  return result;
}
