import type * as tf from '@tensorflow/tfjs';
import { applyPending } from './applyMasks.js';
import { operatorLayerKind } from './layerKinds.js';
import { readWeightData } from './layerWeights.js';
import { keepAtLeast } from './maskFromThreshold.js';
import { assertThreshold } from './validate.js';

/** Options of the unstructured magnitude operator (Condensa's `pi.prune`). */
export interface MagnitudePruneOptions {
  /** Entries with |w| >= threshold are kept (e.g. from `threshold(values, density)`). */
  threshold: number;
  /** Which weight (default: the layer kind's main weight, `kernel` for Dense/Conv). */
  weight?: string;
}

/**
 * Unstructured magnitude pruning of one layer: zero every entry of the weight with
 * |w| < threshold. The mask multiplies any existing mask (see `src/pruning/state.ts`).
 * Also callable as `prune(layer, { threshold })`.
 *
 * @example
 * const thr = threshold(layer.getWeights()[0], 0.3); // keep 30%
 * magnitudePrune(layer, { threshold: thr });
 */
export function magnitudePrune(layer: tf.layers.Layer, opts: MagnitudePruneOptions): void {
  const kind = operatorLayerKind('prune', layer);
  const name = opts.weight ?? kind.weight;
  const w = readWeightData(layer, name);
  assertThreshold(opts.threshold, `prune(${w.what})`);
  const mags = w.data.map(Math.abs);
  applyPending(layer, [{ name, shape: w.shape, mask: keepAtLeast(mags, opts.threshold) }]);
}
