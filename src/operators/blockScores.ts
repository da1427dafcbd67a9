import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { aggregate, criterion, type Criteria } from './criteria.js';
import { stridesOf, assertFinite } from './values.js';

/** Options of `blockScores` / `blockPrune`. */
export interface BlockOptions {
  /** Zero-pad the weight up to a multiple of the block shape instead of requiring division. */
  pad?: boolean;
  /** Names the weight in error messages. */
  what?: string;
}

/** Shape of the block grid, validating that `blockSize` fits `shape` (or padding is allowed). */
export function blockGridShape(
  shape: readonly number[],
  blockSize: readonly number[],
  pad: boolean,
  what: string,
): number[] {
  if (blockSize.length !== shape.length) {
    throw new InvalidArgumentError(
      `${what}: block shape [${blockSize.join(', ')}] has rank ${blockSize.length} but the weight has shape [${shape.join(', ')}] (rank ${shape.length}); give one block size per axis`,
    );
  }
  return shape.map((d, i) => {
    const b = blockSize[i];
    if (!Number.isInteger(b) || b < 1) {
      throw new InvalidArgumentError(
        `${what}: block sizes must be positive integers, got [${blockSize.join(', ')}]`,
      );
    }
    if (!pad && d % b !== 0) {
      throw new InvalidArgumentError(
        `${what}: block shape [${blockSize.join(', ')}] does not divide the weight shape [${shape.join(', ')}] (axis ${i}: ${d} % ${b} != 0); pass { pad: true } to zero-pad`,
      );
    }
    return Math.ceil(d / b);
  });
}

/** For every flat index of `shape`, the row-major index of its block in the grid. */
export function blockIndexOf(
  shape: readonly number[],
  blockSize: readonly number[],
  grid: readonly number[],
): Uint32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const gridStrides = stridesOf(grid);
  const out = new Uint32Array(size);
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let g = 0;
    for (let d = 0; d < shape.length; d++) g += Math.floor(coord[d] / blockSize[d]) * gridStrides[d];
    out[i] = g;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
  return out;
}

/**
 * One score per block of `w`: the weight is tiled into blocks of shape `blockSize` (same rank as
 * `w`, tfjs layout) and each block is reduced with `criteria`. The result has the grid shape
 * (`shape[i] / blockSize[i]` per axis). The block shape must divide the weight unless
 * `{ pad: true }`, which zero-pads the trailing edge (padded zeros count as block elements).
 *
 * @example
 * blockScores(tf.tensor2d([[1, 1, 0, 0], [1, 1, 0, 2]]), [2, 2], 'sum'); // [[4, 2]]
 */
export function blockScores(
  w: tf.Tensor,
  blockSize: readonly number[],
  criteria: Criteria = 'l2',
  opts: BlockOptions = {},
): tf.Tensor {
  const { scores, grid } = scoreBlocks(w.dataSync(), w.shape, blockSize, criteria, opts);
  return tf.tensor(scores, grid);
}

/** `blockScores` as a Float32Array plus the grid shape (shared with `blockPrune`). */
export function scoreBlocks(
  data: ArrayLike<number>,
  shape: readonly number[],
  blockSize: readonly number[],
  criteria: Criteria,
  opts: BlockOptions,
): { scores: Float32Array; grid: number[] } {
  const what = opts.what ?? 'weight';
  const c = criterion(criteria, what);
  const grid = blockGridShape(shape, blockSize, opts.pad ?? false, what);
  assertFinite(data, what);
  const groupOf = blockIndexOf(shape, blockSize, grid);
  const groups = grid.reduce((a, b) => a * b, 1);
  const blockElems = blockSize.reduce((a, b) => a * b, 1);
  const scores = aggregate(data, groupOf, groups, c, opts.pad ? blockElems : undefined);
  return { scores: Float32Array.from(scores), grid };
}
