import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { compact, countFlops } from '../graph/index.js';
import { cloneModel, disposeModel } from '../optimizers/snapshot.js';
import type { DensityScheme } from '../optimizers/density-schemes.js';
import type { Scheme } from '../schemes/index.js';

/** What {@link densityForFlops} found. */
export interface FlopsMatch<S extends Scheme> {
  /** The scheme at the found density. */
  scheme: S;
  /** The largest density (to `tolerance`) whose compacted model has at most the target FLOPs. */
  density: number;
  /** FLOPs of the compacted model at that density / FLOPs of `model` (both per example). */
  flopsKept: number;
  /** FLOPs per example of `model` itself. */
  denseFlops: number;
}

/**
 * The density at which `scheme` removes a fraction `cut` of `model`'s FLOPs, measured on the model
 * itself: each probe prunes a copy, compacts it and counts its FLOPs (`countFlops`), so channel
 * coupling, pinned channels and the next layer's removed inputs are all accounted for. Bisection
 * over the density (FLOPs grow with it), to `tolerance` (default 1e-3). `model` is not changed.
 *
 * Each probe runs the scheme's `pi` once: give a data-driven importance precomputed scores
 * (`importance: () => scores` from `importanceScores`) rather than calibration data, or every
 * probe re-scores. Throws when even the smallest density keeps more than the target (e.g. most
 * of the FLOPs sit in pinned layers), naming the largest cut the scheme can reach.
 *
 * @example
 * ```ts
 * const model = seedNet({ width: 0.25 });
 * const { scheme, density, flopsKept } = densityForFlops(model, new FilterPrune({ density: 1 }), { cut: 0.5 });
 * scheme.pi(model); // about half of the FLOPs gone once compacted
 * ```
 */
export function densityForFlops<S extends DensityScheme>(
  model: tf.LayersModel,
  scheme: S,
  opts: { cut: number; tolerance?: number },
): FlopsMatch<S> {
  const { cut, tolerance = 1e-3 } = opts;
  if (!(cut > 0 && cut < 1)) {
    throw new InvalidArgumentError(`densityForFlops: cut must be a fraction in (0, 1); got ${String(cut)}`);
  }
  if (!(tolerance > 0 && tolerance < 0.5)) {
    throw new InvalidArgumentError(
      `densityForFlops: tolerance must be in (0, 0.5); got ${String(tolerance)}`,
    );
  }
  const flopsOf = (m: tf.LayersModel): number => {
    const small = compact(m);
    const total = countFlops(small).total;
    if (small !== m) small.dispose();
    return total;
  };
  const denseFlops = flopsOf(model);
  if (!(denseFlops > 0)) {
    throw new InvalidArgumentError(
      'densityForFlops: the model has no countable FLOPs (see countFlops warnings)',
    );
  }
  const at = (d: number): number => {
    const copy = cloneModel(model);
    try {
      scheme.withDensity(d).pi(copy);
      return flopsOf(copy) / denseFlops;
    } finally {
      disposeModel(copy);
    }
  };
  // A density too small for the scheme (it would empty the model) throws: such densities sit
  // at the low end, so the bisection treats them as "under the target" and checks the end point.
  const probe = (d: number): number | null => {
    try {
      return at(d);
    } catch (e) {
      if (e instanceof InvalidArgumentError) return null;
      throw e;
    }
  };
  const target = 1 - cut;
  let lo = tolerance;
  let hi = 1;
  let loKept = probe(lo);
  while (hi - lo > tolerance) {
    const mid = (lo + hi) / 2;
    const kept = probe(mid);
    if (kept !== null && kept > target) hi = mid;
    else [lo, loKept] = [mid, kept];
  }
  if (loKept === null || loKept > target) {
    const floor = probe(hi) ?? 1;
    throw new InvalidArgumentError(
      `densityForFlops: ${scheme.constructor.name} cannot remove ${(cut * 100).toFixed(1)}% of the FLOPs ` +
        `of this model; its smallest usable density (${hi.toFixed(4)}) still keeps ${(floor * 100).toFixed(1)}% ` +
        `(pinned layers, layers the scheme does not prune, or its guards). Ask for a cut of at most ` +
        `${((1 - floor) * 100).toFixed(1)}%`,
    );
  }
  return { scheme: scheme.withDensity(lo) as S, density: lo, flopsKept: loKept, denseFlops };
}
