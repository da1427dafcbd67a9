import * as tf from '@tensorflow/tfjs';
import { normaliseAxes, structureIndexOf } from './axes.js';
import { blockGridShape, blockIndexOf } from './blockScores.js';

/**
 * Expand a per-structure 0/1 mask (one entry per slice along `axis`, row-major over several
 * axes) to the full weight `shape`.
 *
 * @example
 * expandStructureMask(tf.tensor1d([1, 0]), [2, 2]); // [[1, 0], [1, 0]]
 */
export function expandStructureMask(
  mask: tf.Tensor1D,
  shape: readonly number[],
  axis: number | readonly number[] = -1,
): tf.Tensor {
  return tf.tensor(expandStructureMaskArray(mask.dataSync(), shape, axis), [...shape]);
}

/** `expandStructureMask` on plain arrays. */
export function expandStructureMaskArray(
  mask: ArrayLike<number>,
  shape: readonly number[],
  axis: number | readonly number[],
): Float32Array {
  const { groupOf } = structureIndexOf(shape, normaliseAxes(axis, shape.length, 'expandStructureMask'));
  const out = new Float32Array(groupOf.length);
  for (let i = 0; i < out.length; i++) out[i] = mask[groupOf[i]];
  return out;
}

/**
 * Expand a block-grid 0/1 mask to the full weight `shape` (padding, if any, is cropped away).
 *
 * @example
 * expandBlockMask(tf.tensor2d([[1, 0]]), [2, 2], [2, 4]); // [[1, 1, 0, 0], [1, 1, 0, 0]]
 */
export function expandBlockMask(
  mask: tf.Tensor,
  blockSize: readonly number[],
  shape: readonly number[],
): tf.Tensor {
  return tf.tensor(expandBlockMaskArray(mask.dataSync(), blockSize, shape), [...shape]);
}

/** `expandBlockMask` on plain arrays. */
export function expandBlockMaskArray(
  mask: ArrayLike<number>,
  blockSize: readonly number[],
  shape: readonly number[],
): Float32Array {
  const grid = blockGridShape(shape, blockSize, true, 'expandBlockMask');
  const groupOf = blockIndexOf(shape, blockSize, grid);
  const out = new Float32Array(groupOf.length);
  for (let i = 0; i < out.length; i++) out[i] = mask[groupOf[i]];
  return out;
}
