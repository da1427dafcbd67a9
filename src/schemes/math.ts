import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, TensorError } from '../errors.js';

/**
 * The mask math the schemes need, on host arrays. The schemes rank scores across many layers
 * at once, so they work on flat Float32Arrays (the scores are float32 as in Condensa's torch
 * code; ranking them on the host keeps ties and order exact).
 *
 * TODO(D1): these mirror the contract of src/operators (threshold, structureScores,
 * blockScores, alignMask); switch to those exports once they land.
 */

/** Aggregation criteria for a structure (filter, neuron, block), as in Condensa. */
export type Criteria = 'l2' | 'l1' | 'max' | 'min' | 'mean' | 'sum' | 'l2Scaled';

export const CRITERIA: readonly Criteria[] = ['l2', 'l1', 'max', 'min', 'mean', 'sum', 'l2Scaled'];

/** Throws unless `d` is a density in (0, 1]. */
export function checkDensity(d: unknown, what: string): number {
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0 || d > 1) {
    throw new InvalidArgumentError(
      `${what}: density must be a number in (0, 1] (fraction kept); got ${String(d)}`,
    );
  }
  return d;
}

/**
 * Condensa's threshold: the k-th largest magnitude with k = floor(density * n). Entries with
 * magnitude >= threshold are kept, so ties at the threshold are all kept.
 */
export function thresholdOf(values: Float32Array, density: number, what = 'values'): number {
  checkDensity(density, what);
  const k = Math.floor(density * values.length);
  if (k === 0) {
    throw new InvalidArgumentError(
      `${what}: density ${density} of ${values.length} entries keeps nothing (floor(density * n) = 0); ` +
        `use a density >= ${values.length ? (1 / values.length).toPrecision(3) : 'n/a'}`,
    );
  }
  const mags = Float32Array.from(values, Math.abs);
  mags.sort();
  return mags[mags.length - k];
}

/** Reduce `absValues` (one structure's |w|) by `criteria`. */
function reduce(abs: Float32Array, criteria: Criteria): number {
  let s = 0;
  let s2 = 0;
  let mx = -Infinity;
  let mn = Infinity;
  for (const a of abs) {
    s += a;
    s2 += a * a;
    if (a > mx) mx = a;
    if (a < mn) mn = a;
  }
  const reducers: Record<Criteria, () => number> = {
    l2: () => Math.sqrt(s2),
    l1: () => s,
    sum: () => s,
    max: () => mx,
    min: () => mn,
    mean: () => s / abs.length,
    // torch computes the norm in float32, then divides: round in between to match it.
    l2Scaled: () => Math.fround(Math.sqrt(s2)) / abs.length,
  };
  return Math.fround(reducers[criteria]());
}

/**
 * One score per slice along the LAST axis of `w` (a conv filter of a `[kh, kw, in, out]` kernel,
 * a dense neuron of an `[in, out]` kernel), aggregating |w| over every other axis.
 */
export function lastAxisScores(w: tf.Tensor, criteria: Criteria): Float32Array {
  const units = w.shape[w.shape.length - 1];
  const rows = w.size / units;
  const data = w.dataSync() as Float32Array;
  const out = new Float32Array(units);
  const col = new Float32Array(rows);
  for (let u = 0; u < units; u++) {
    for (let r = 0; r < rows; r++) col[r] = Math.abs(data[r * units + u]);
    out[u] = reduce(col, criteria);
  }
  return out;
}

/**
 * One score per block of a 2-D weight `[rows, cols]` split into `[br, bc]` blocks (the block shape
 * must divide the weight). Scores are in row-major block order.
 */
export function blockScores2d(
  data: Float32Array,
  rows: number,
  cols: number,
  block: [number, number],
  criteria: Criteria,
): Float32Array {
  const [br, bc] = block;
  const nbr = rows / br;
  const nbc = cols / bc;
  const out = new Float32Array(nbr * nbc);
  const buf = new Float32Array(br * bc);
  for (let i = 0; i < nbr; i++) {
    for (let j = 0; j < nbc; j++) {
      let t = 0;
      for (let r = 0; r < br; r++) {
        for (let c = 0; c < bc; c++) buf[t++] = Math.abs(data[(i * br + r) * cols + j * bc + c]);
      }
      out[i * nbc + j] = reduce(buf, criteria);
    }
  }
  return out;
}

/**
 * 0/1 keep flags for `scores` at `threshold` (keep where score >= threshold); with `align`, the
 * number kept is rounded down to a multiple of `align` (but a layer with survivors keeps at least
 * `align`, at most all), keeping
 * the highest scores (earlier index first among equal scores).
 */
export function keepFlags(scores: Float32Array, threshold: number, align?: number): Uint8Array {
  const keep = Uint8Array.from(scores, (s) => (s >= threshold ? 1 : 0));
  if (align === undefined || align <= 1) return keep;
  const kept = keep.reduce((a, b) => a + b, 0);
  // A layer the global ranking empties stays empty; otherwise never round a surviving layer
  // down to zero width (that would cut the network).
  const target = kept === 0 ? 0 : Math.min(scores.length, Math.max(align, Math.floor(kept / align) * align));
  if (target === kept) return keep;
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < target; i++) out[order[i]] = 1;
  return out;
}

/** Throws a TensorError naming `what` when `data` holds NaN or Inf. */
export function assertFinite(data: Float32Array, what: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new TensorError(
        `${what} holds ${data[i]} at flat index ${i}; weights must be finite to be ranked`,
      );
    }
  }
}
