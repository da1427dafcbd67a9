import { InvalidArgumentError } from '../errors.js';

/**
 * Per-layer sparsities from two knobs: the overall sparsity `s` (weighted by layer `sizes`,
 * e.g. parameters or FLOPs) and an exponent `alpha`. Each layer's sparsity is proportional to
 * (sensitivity / share)^-alpha, where sensitivity is the accuracy the layer loses when pruned
 * alone and share is its fraction of the total size: layers that cost little accuracy per unit of
 * size removed are pruned harder. alpha = 0 is the uniform (global) allocation, so the family
 * contains Condensa's answer; larger alpha trusts the sensitivities more. The proportionality
 * constant is found by bisection so that the size-weighted mean sparsity is exactly `s`, with no
 * layer above `maxLayerSparsity`.
 *
 * @example
 * allocateSparsity(0.5, 1, { a: 0.01, b: 0.04 }, { a: 1, b: 1 });
 * // { a: 0.8, b: 0.2 }: the less sensitive layer takes more of the sparsity
 */
export function allocateSparsity(
  s: number,
  alpha: number,
  sensitivities: Record<string, number>,
  sizes: Record<string, number>,
  maxLayerSparsity = 0.98,
): Record<string, number> {
  const layers = Object.keys(sensitivities);
  if (layers.length === 0) throw new InvalidArgumentError('allocateSparsity needs at least one layer');
  for (const l of layers) {
    if (!(sizes[l] > 0)) throw new InvalidArgumentError(`layer '${l}' needs a size > 0, got ${sizes[l]}`);
    if (!(sensitivities[l] > 0))
      throw new InvalidArgumentError(`layer '${l}' needs a sensitivity > 0, got ${sensitivities[l]}`);
  }
  if (!(s >= 0 && s <= maxLayerSparsity)) {
    throw new InvalidArgumentError(`overall sparsity must be in [0, ${maxLayerSparsity}], got ${s}`);
  }
  const total = layers.reduce((a, l) => a + sizes[l], 0);
  // Relative preferences, normalised by their geometric mean to keep the bisection well scaled.
  const raw = layers.map((l) => Math.pow(sensitivities[l] / (sizes[l] / total), -alpha));
  const geo = Math.exp(raw.reduce((a, r) => a + Math.log(r), 0) / raw.length);
  const pref = raw.map((r) => r / geo);
  const mean = (c: number) =>
    layers.reduce((a, l, i) => a + sizes[l] * Math.min(maxLayerSparsity, c * pref[i]), 0) / total;
  let lo = 0;
  let hi = 1;
  while (mean(hi) < s) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (mean(mid) < s) lo = mid;
    else hi = mid;
  }
  const out: Record<string, number> = {};
  layers.forEach((l, i) => (out[l] = Math.min(maxLayerSparsity, hi * pref[i])));
  return out;
}
