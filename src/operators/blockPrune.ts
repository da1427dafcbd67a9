import type * as tf from '@tensorflow/tfjs';
import { applyPending } from './applyMasks.js';
import { scoreBlocks } from './blockScores.js';
import type { Criteria } from './criteria.js';
import { expandBlockMaskArray } from './expandMask.js';
import { operatorLayerKind } from './layerKinds.js';
import { readWeightData } from './layerWeights.js';
import { keepAtLeast } from './maskFromThreshold.js';
import { assertThreshold } from './validate.js';

/** Options of `blockPrune` (Condensa's `pi.blockprune`). */
export interface BlockPruneLayerOptions {
  /** Blocks whose aggregated score is >= threshold are kept. */
  threshold: number;
  /** Block shape in tfjs layout, one size per weight axis (e.g. `[4, 4]` for a Dense kernel). */
  blockSize: readonly number[];
  /** How a block is scored (default `l2`). */
  criteria?: Criteria;
  /** Zero-pad the weight to a multiple of the block shape instead of requiring division. */
  pad?: boolean;
  /** Which weight (default `kernel`). */
  weight?: string;
}

/**
 * Block pruning: tile the weight into `blockSize` blocks, score each with `criteria`, and zero
 * whole blocks scoring below `threshold`.
 *
 * @example
 * blockPrune(dense, { threshold: 0.5, blockSize: [4, 4], criteria: 'l2' });
 */
export function blockPrune(layer: tf.layers.Layer, opts: BlockPruneLayerOptions): void {
  const kind = operatorLayerKind('blockPrune', layer);
  const name = opts.weight ?? kind.weight;
  const w = readWeightData(layer, name);
  assertThreshold(opts.threshold, `blockPrune(${w.what})`);
  const { scores } = scoreBlocks(w.data, w.shape, opts.blockSize, opts.criteria ?? 'l2', {
    pad: opts.pad,
    what: w.what,
  });
  const mask = expandBlockMaskArray(keepAtLeast(scores, opts.threshold), opts.blockSize, w.shape);
  applyPending(layer, [{ name, shape: w.shape, mask }]);
}
