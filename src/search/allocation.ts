import { InvalidArgumentError } from '../errors.js';

/**
 * Fraction (0..1) of a model's cost (FLOPs, parameters) that per-layer sparsities remove.
 * Must not decrease when any layer's sparsity grows; 0 when every sparsity is 0.
 */
export type SparsityCost = (sparsities: Record<string, number>) => number;

/**
 * The cost model in which each layer's cost is its own `size` times its own density (the
 * size-weighted mean sparsity): right for unstructured pruning's parameters, and an
 * approximation for FLOPs, which also shrink with the previous layer's pruned filters (see
 * `prunedFlops` in the graph module for the coupled one).
 *
 * @example
 * weightedCost({ a: 1, b: 3 })({ a: 0.5, b: 0.1 }); // (0.5 * 1 + 0.1 * 3) / 4 = 0.2
 */
export function weightedCost(sizes: Record<string, number>): SparsityCost {
  const layers = Object.keys(sizes);
  for (const l of layers) {
    if (!(sizes[l] > 0)) throw new InvalidArgumentError(`layer '${l}' needs a size > 0, got ${sizes[l]}`);
  }
  const total = layers.reduce((a, l) => a + sizes[l], 0);
  return (sparsities) => layers.reduce((a, l) => a + sizes[l] * (sparsities[l] ?? 0), 0) / total;
}

/**
 * Per-layer sparsities from two knobs: the overall sparsity `s` (the fraction of the cost
 * removed: `cost`, or the size-weighted mean sparsity when given `sizes`) and an exponent
 * `alpha`. Each layer's sparsity is proportional to (sensitivity / share)^-alpha, where
 * sensitivity is the accuracy the layer loses when pruned alone and share is the fraction of
 * the cost that pruning it alone removes per unit of its sparsity: layers that cost little
 * accuracy per unit of cost removed are pruned harder. alpha = 0 is the uniform allocation, so
 * the family contains Condensa's answer; larger alpha trusts the sensitivities more. The
 * proportionality constant is found by bisection so that the cost removed is exactly `s`, with
 * no layer above `maxLayerSparsity`.
 *
 * @example
 * allocateSparsity(0.5, 1, { a: 0.01, b: 0.04 }, { a: 1, b: 1 });
 * // { a: 0.8, b: 0.2 }: the less sensitive layer takes more of the sparsity
 */
export function allocateSparsity(
  s: number,
  alpha: number,
  sensitivities: Record<string, number>,
  sizesOrCost: Record<string, number> | SparsityCost,
  maxLayerSparsity = 0.98,
): Record<string, number> {
  const layers = Object.keys(sensitivities);
  if (layers.length === 0) throw new InvalidArgumentError('allocateSparsity needs at least one layer');
  const cost =
    typeof sizesOrCost === 'function'
      ? sizesOrCost
      : weightedCost(Object.fromEntries(layers.map((l) => [l, sizesOrCost[l]])));
  for (const l of layers) {
    if (!(sensitivities[l] > 0))
      throw new InvalidArgumentError(`layer '${l}' needs a sensitivity > 0, got ${sensitivities[l]}`);
  }
  const at = (c: number, pref: number[]) =>
    Object.fromEntries(layers.map((l, i) => [l, Math.min(maxLayerSparsity, c * pref[i])]));
  const reach = cost(Object.fromEntries(layers.map((l) => [l, maxLayerSparsity])));
  if (!(s >= 0 && s <= reach + 1e-12)) {
    throw new InvalidArgumentError(
      `overall sparsity must be in [0, ${+reach.toFixed(6)}] (every layer at ${maxLayerSparsity}), got ${s}`,
    );
  }
  // A layer whose pruning removes no cost (its channels are pinned) is left dense: pruning it
  // would only lose accuracy.
  const shares = layers.map((l) => Math.max(0, cost({ [l]: 0.5 }) / 0.5));
  const useful = shares.filter((x) => x > 0).length;
  if (useful === 0) return at(0, shares);
  // Relative preferences, normalised by their geometric mean to keep the bisection well scaled.
  const raw = layers.map((l, i) => (shares[i] > 0 ? Math.pow(sensitivities[l] / shares[i], -alpha) : 0));
  const geo = Math.exp(raw.reduce((a, r) => a + (r > 0 ? Math.log(r) : 0), 0) / useful);
  const pref = raw.map((r) => r / geo);
  // At hi every useful layer is at the cap, so cost(at(hi)) = reach >= s.
  let lo = 0;
  let hi = maxLayerSparsity / Math.min(...pref.filter((p) => p > 0));
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (cost(at(mid, pref)) < s) lo = mid;
    else hi = mid;
  }
  return at(hi, pref);
}
