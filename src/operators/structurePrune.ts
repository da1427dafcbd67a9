import type * as tf from '@tensorflow/tfjs';
import { alignMaskArray } from './alignMask.js';
import { applyPending, type PendingMask } from './applyMasks.js';
import type { Criteria } from './criteria.js';
import { expandStructureMaskArray } from './expandMask.js';
import { operatorLayerKind, type OperatorLayerKinds } from './layerKinds.js';
import { hasWeight, readWeightData } from './layerWeights.js';
import { keepAtLeast } from './maskFromThreshold.js';
import { scoreStructures } from './structureScores.js';
import { assertThreshold } from './validate.js';

/** Options of `filterPrune` and `neuronPrune` (Condensa's `pi.filter_prune` / `pi.neuron_prune`). */
export interface StructurePruneLayerOptions {
  /** Structures whose aggregated score is >= threshold are kept. */
  threshold: number;
  /** How a structure is scored (default `l2`). */
  criteria?: Criteria;
  /** Round the number of survivors down to a multiple of this (default 1: no rounding). */
  align?: number;
  /** With `align`, allow a layer to lose every structure (default false: keep min(align, n)). */
  allowEmpty?: boolean;
  /** Also zero the bias entry of each removed structure (default true). */
  pruneBias?: boolean;
}

/** What a structured operator did to one layer. */
export interface StructurePruneResult {
  /** 0/1 per structure (filter / neuron), in output-channel order. */
  kept: Float32Array;
}

/** Score, threshold, align and mask the structures of `layer` for `operator`. */
export function structurePrune(
  operator: keyof Pick<OperatorLayerKinds, 'filterPrune' | 'neuronPrune'>,
  layer: tf.layers.Layer,
  opts: StructurePruneLayerOptions,
): StructurePruneResult {
  const kind = operatorLayerKind(operator, layer);
  const w = readWeightData(layer, kind.weight);
  const where = `${operator}(${w.what})`;
  assertThreshold(opts.threshold, where);
  const axes = kind.axes(w.shape.length);
  const scores = scoreStructures(w.data, w.shape, opts.criteria ?? 'l2', axes, w.what);
  let kept = keepAtLeast(scores, opts.threshold);
  if (opts.align !== undefined)
    kept = alignMaskArray(scores, kept, opts.align, { allowEmpty: opts.allowEmpty }, where);
  const pending: PendingMask[] = [
    { name: kind.weight, shape: w.shape, mask: expandStructureMaskArray(kept, w.shape, axes) },
  ];
  if ((opts.pruneBias ?? true) && kind.bias && hasWeight(layer, kind.bias)) {
    const b = readWeightData(layer, kind.bias);
    pending.push({ name: kind.bias, shape: b.shape, mask: kept.slice() });
  }
  applyPending(layer, pending);
  return { kept };
}

/**
 * Filter pruning of a conv layer: each output filter (last kernel axis in tfjs layout) is scored
 * with `criteria`; filters scoring below `threshold` are zeroed, with their bias entries.
 *
 * @example
 * const scores = structureScores(conv.getWeights()[0], 'l2');
 * filterPrune(conv, { threshold: threshold(scores, 0.5), align: 8 });
 * scores.dispose();
 */
export function filterPrune(layer: tf.layers.Layer, opts: StructurePruneLayerOptions): StructurePruneResult {
  return structurePrune('filterPrune', layer, opts);
}

/**
 * Neuron pruning of a Dense layer: each output unit (last kernel axis, `[in, out]`) is scored;
 * units scoring below `threshold` are zeroed, with their bias entries.
 *
 * @example
 * neuronPrune(dense, { threshold: 0.8, criteria: 'l1' });
 */
export function neuronPrune(layer: tf.layers.Layer, opts: StructurePruneLayerOptions): StructurePruneResult {
  return structurePrune('neuronPrune', layer, opts);
}
