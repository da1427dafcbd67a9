import * as tf from '@tensorflow/tfjs';
import { normaliseAxes, structureIndexOf } from './axes.js';
import { aggregate, criterion, type Criteria } from './criteria.js';
import { assertFinite } from './values.js';

/**
 * One score per structure of `w`: a structure is a slice along `axis` (default: the last axis,
 * which in tfjs layout is a conv filter of a `[kh, kw, in, out]` kernel or a dense neuron of an
 * `[in, out]` kernel), reduced over every other axis with `criteria` (default `l2`).
 * Several axes give one structure per combination, numbered row-major (a depthwise kernel
 * `[kh, kw, in, mult]` with axes [2, 3] scores its `in * mult` output channels in output order).
 *
 * @example
 * structureScores(tf.tensor2d([[3, 0], [4, 1]]), 'l2'); // [5, 1]
 */
export function structureScores(
  w: tf.Tensor,
  criteria: Criteria = 'l2',
  axis: number | readonly number[] = -1,
  opts: { what?: string } = {},
): tf.Tensor1D {
  return tf.tensor1d(scoreStructures(w.dataSync(), w.shape, criteria, axis, opts.what ?? 'weight'));
}

/**
 * The scores as a Float32Array. Per-layer operators use this same function, so a threshold
 * taken from `structureScores` compares bit-for-bit with the scores the operator recomputes.
 */
export function scoreStructures(
  data: ArrayLike<number>,
  shape: readonly number[],
  criteria: Criteria,
  axis: number | readonly number[],
  what: string,
): Float32Array {
  const c = criterion(criteria, what);
  const axes = normaliseAxes(axis, shape.length, what);
  assertFinite(data, what);
  const { groupOf, groups } = structureIndexOf(shape, axes);
  return Float32Array.from(aggregate(data, groupOf, groups, c));
}
