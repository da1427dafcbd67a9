import * as tf from '@tensorflow/tfjs';
import { assertAlign } from './validate.js';

/** Options of `alignMask`. */
export interface AlignOptions {
  /**
   * Allow rounding down to zero survivors. Off by default: a layer that keeps fewer than
   * `align` structures keeps `min(align, n)` instead, because an all-zero layer disconnects the
   * network (pass `true` for Condensa's literal rounding).
   */
  allowEmpty?: boolean;
}

/**
 * Round the number of surviving structures DOWN to a multiple of `align`, keeping the
 * highest-scoring ones (hardware-friendly widths). Ties are broken by the lower index.
 * `scores` and `mask` are 1-D of equal length; returns a new 0/1 mask.
 *
 * @example
 * alignMask(tf.tensor1d([5, 4, 3, 2, 1]), tf.tensor1d([1, 1, 1, 0, 0]), 2); // [1, 1, 0, 0, 0]
 */
export function alignMask(
  scores: tf.Tensor1D,
  mask: tf.Tensor1D,
  align: number,
  opts: AlignOptions = {},
): tf.Tensor1D {
  return tf.tensor1d(alignMaskArray(scores.dataSync(), mask.dataSync(), align, opts, 'alignMask'));
}

/** `alignMask` on plain arrays (used by the per-layer operators). */
export function alignMaskArray(
  scores: ArrayLike<number>,
  mask: ArrayLike<number>,
  align: number,
  opts: AlignOptions,
  what: string,
): Float32Array {
  assertAlign(align, what);
  const n = mask.length;
  let kept = 0;
  for (let i = 0; i < n; i++) if (mask[i] !== 0) kept++;
  let target = Math.floor(kept / align) * align;
  if (target === 0 && !opts.allowEmpty) target = Math.min(align, n);
  const out = new Float32Array(n);
  if (target === kept) {
    for (let i = 0; i < n; i++) out[i] = mask[i] !== 0 ? 1 : 0;
    return out;
  }
  // Rank survivors first (when shrinking) or everything (when growing to the minimum width).
  const order = Array.from({ length: n }, (_, i) => i);
  const grow = target > kept;
  order.sort((a, b) => {
    if (!grow && (mask[a] !== 0) !== (mask[b] !== 0)) return mask[a] !== 0 ? -1 : 1;
    return scores[b] - scores[a] || a - b;
  });
  if (grow) {
    // Existing survivors stay; the best-scoring pruned structures fill up to the target.
    for (let i = 0; i < n; i++) if (mask[i] !== 0) out[i] = 1;
    let have = kept;
    for (const i of order) {
      if (have >= target) break;
      if (out[i] === 0) {
        out[i] = 1;
        have++;
      }
    }
    return out;
  }
  for (let r = 0; r < target; r++) out[order[r]] = 1;
  return out;
}
