import { InvalidArgumentError } from '../errors.js';
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
