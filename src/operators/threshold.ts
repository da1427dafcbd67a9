import { InvalidArgumentError } from '../errors.js';
import { kthSmallest } from './select.js';
import { assertDensity } from './validate.js';
import { assertFinite, toFloat32, type Values } from './values.js';

/**
 * Condensa's magnitude threshold: the k-th largest |value| with k = floor(density * n), so that
 * keeping every entry with |v| >= threshold keeps (at least) a `density` fraction. Ties at the
 * threshold are all kept, so the realised density can exceed the target.
 *
 * `values` may be a list of tensors: the threshold is then one global ranking over all of them
 * (how Condensa's schemes share one threshold across a network).
 *
 * Throws `InvalidArgumentError` for a density outside (0, 1] or one that keeps no entry
 * (k == 0), and `TensorError` for NaN/Inf values.
 *
 * @example
 * threshold(tf.range(0, 30), 0.2); // 24
 */
export function threshold(values: Values, density: number, opts: { what?: string } = {}): number {
  const what = opts.what ?? 'values';
  assertDensity(density, `${what}: density`);
  const mags = toFloat32(values);
  assertFinite(mags, what);
  const n = mags.length;
  const k = Math.floor(density * n);
  if (k === 0) {
    throw new InvalidArgumentError(
      `${what}: density ${density} makes the model zero (floor(${density} * ${n}) = 0 entries kept); ` +
        `use a density >= ${n > 0 ? 1 / n : 1}`,
    );
  }
  for (let i = 0; i < n; i++) mags[i] = Math.abs(mags[i]);
  // k-th largest = (n - k)-th smallest, 0-based.
  return kthSmallest(mags, n - k);
}
