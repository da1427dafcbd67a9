import type * as tf from '@tensorflow/tfjs';
import { getWeightVariable, weightNames } from '../pruning/state.js';
import { assertFinite } from './values.js';

/** A layer weight read to the CPU, validated finite, with its display name for errors. */
export interface WeightData {
  name: string;
  what: string;
  shape: number[];
  data: Float32Array;
}

/** Read the effective (masked) value of `layer`'s weight `name`; NaN/Inf -> TensorError. */
export function readWeightData(layer: tf.layers.Layer, name: string): WeightData {
  const v = getWeightVariable(layer, name);
  const what = `${layer.name}/${name}`;
  const data = Float32Array.from(v.read().dataSync() as ArrayLike<number>);
  assertFinite(data, what);
  return { name, what, shape: v.shape as number[], data };
}

/** Whether `layer` has a weight called `name` (a conv built with useBias: false has no bias). */
export function hasWeight(layer: tf.layers.Layer, name: string): boolean {
  return weightNames(layer).includes(name);
}
