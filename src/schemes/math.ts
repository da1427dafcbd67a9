import { InvalidArgumentError } from '../errors.js';
import { alignMaskArray } from '../operators/alignMask.js';
import { CRITERIA_NAMES, scoreBlocks, threshold } from '../operators/index.js';
import type { Criteria } from '../operators/index.js';

/**
 * The schemes rank scores across many layers at once, on host Float32Arrays (float32 like
 * Condensa's torch scores), using the operators' mask math so per-layer operators and schemes
 * agree bit for bit.
 */
export type { Criteria };

export const CRITERIA: readonly Criteria[] = CRITERIA_NAMES;

/** Throws unless `d` is a density in (0, 1]. */
export function checkDensity(d: unknown, what: string): number {
  if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0 || d > 1) {
    throw new InvalidArgumentError(
      `${what}: density must be a number in (0, 1] (fraction kept); got ${String(d)}`,
    );
  }
  return d;
}

/** Condensa's threshold: the k-th largest magnitude, k = floor(density * n); ties kept. */
export function thresholdOf(values: Float32Array, density: number, what = 'values'): number {
  return threshold(values, density, { what });
}

/** One score per `[br, bc]` block of a `[rows, cols]` matrix, row-major block order. */
export function blockScores2d(
  data: Float32Array,
  rows: number,
  cols: number,
  block: [number, number],
  criteria: Criteria,
  pad: boolean,
  what: string,
): Float32Array {
  return scoreBlocks(data, [rows, cols], block, criteria, { pad, what }).scores;
}

/**
 * 0/1 keep flags for `scores` at `threshold` (keep where score >= threshold); with `align`, the
 * survivors are rounded down to a multiple of `align` by the operators' `alignMask` (a layer never
 * drops below `min(align, n)` structures: an empty layer would disconnect the network).
 */
export function keepFlags(scores: Float32Array, threshold: number, align?: number): Uint8Array {
  const keep = Uint8Array.from(scores, (s) => (s >= threshold ? 1 : 0));
  if (align === undefined || align <= 1) return keep;
  return Uint8Array.from(alignMaskArray(scores, keep, align, {}, 'align'));
}
