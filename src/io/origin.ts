import type * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';

/** The directory each model was loaded from, so saveModel can refuse to overwrite it. */
const loadedFrom = new WeakMap<tf.LayersModel, string>();

export function markLoadedFrom(model: tf.LayersModel, dir: string): void {
  loadedFrom.set(model, resolve(dir));
}

/** Absolute directory `model` was loaded from, or undefined for a model built in memory. */
export function modelOrigin(model: tf.LayersModel): string | undefined {
  return loadedFrom.get(model);
}
