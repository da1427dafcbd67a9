import * as tf from '@tensorflow/tfjs';
import { layerKind } from '../core/layer-kinds/index.js';
import { LayerError } from '../errors.js';
import { normaliseAxes, structureIndexOf } from '../operators/axes.js';
import { operatorLayerKind } from '../operators/layerKinds.js';
import type { StructureLayerKind } from '../operators/layerKinds.js';
import { getWeightVariable, readWeight } from '../pruning/state.js';

/**
 * Which weight and axes hold a layer's output structures: a conv filter (filterPrune kinds) or
 * a dense neuron (neuronPrune kinds), from the operators' layer-kind registry so importance and
 * the operators agree on what a structure is.
 */
export function structureKind(layer: tf.layers.Layer): StructureLayerKind {
  const errors: string[] = [];
  for (const op of ['filterPrune', 'neuronPrune'] as const) {
    try {
      return operatorLayerKind(op, layer);
    } catch (e) {
      if (!(e instanceof LayerError)) throw e;
      errors.push(e.message);
    }
  }
  // A kind that creates channels without being a filter or neuron (an Embedding's dimensions):
  // the registry's weight whose slices score a channel for group pruning.
  const channel = layerKind(layer.getClassName())?.importanceWeight;
  if (channel)
    return { weight: channel.name, axes: (rank) => [channel.axis < 0 ? rank + channel.axis : channel.axis] };
  throw new LayerError(
    `importance: layer '${layer.name}' has no output structures to score (${errors.join('; ')})`,
  );
}

/** Whether `layer` has output structures (filters, neurons or channels) importance can score. */
export function hasStructures(layer: tf.layers.Layer): boolean {
  try {
    structureKind(layer);
    return true;
  } catch {
    return false;
  }
}

/** A layer's structure weight as host floats, with the structure index of every entry. */
export interface StructureWeight {
  data: Float32Array;
  shape: number[];
  axes: number[];
  /** Structure index of each flat entry. */
  groupOf: Uint32Array;
  /** Number of structures. */
  count: number;
}

/** The current (masked) value of `layer`'s structure weight. */
export function structureWeight(layer: tf.layers.Layer): StructureWeight {
  const kind = structureKind(layer);
  const t = readWeight(layer, kind.weight);
  try {
    const data = t.dataSync() as Float32Array;
    const axes = normaliseAxes(kind.axes(t.shape.length), t.shape.length, `${layer.name}/${kind.weight}`);
    const { groupOf, groups } = structureIndexOf(t.shape, axes);
    return { data, shape: t.shape, axes, groupOf, count: groups };
  } finally {
    t.dispose();
  }
}

/** The structure weight split into one row of entries per structure (row-major order kept). */
export function structureRows(w: StructureWeight): Float32Array[] {
  const size = w.data.length / w.count;
  const rows = Array.from({ length: w.count }, () => new Float32Array(size));
  const fill = new Uint32Array(w.count);
  for (let i = 0; i < w.data.length; i++) rows[w.groupOf[i]][fill[w.groupOf[i]]++] = w.data[i];
  return rows;
}

/** The number of output structures of `layer`. */
export function structureCount(layer: tf.layers.Layer): number {
  const kind = structureKind(layer);
  const shape = getWeightVariable(layer, kind.weight).shape as number[];
  const axes = normaliseAxes(kind.axes(shape.length), shape.length, `${layer.name}/${kind.weight}`);
  return axes.reduce((n, a) => n * shape[a], 1);
}

/** Apply `score` to every layer, keyed by layer name. */
export function perLayer(
  layers: tf.layers.Layer[],
  score: (layer: tf.layers.Layer) => Float32Array,
): Record<string, Float32Array> {
  return Object.fromEntries(layers.map((l) => [l.name, score(l)]));
}
