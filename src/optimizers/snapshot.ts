import * as tf from '@tensorflow/tfjs';
import {
  applyMask,
  clearPruning,
  copyPruning,
  getOriginal,
  prunedWeights,
  writeWeight,
} from '../pruning/index.js';

/** A pruned weight inside a snapshot: its original (unmasked) value and its mask. */
export interface SnapshotMask {
  layer: string;
  name: string;
  original: tf.Tensor;
  mask: tf.Tensor;
}

/**
 * A detached copy of a model's state: every weight (trainable and not, e.g. BatchNorm moving
 * statistics) plus its pruning masks. Restoring it reproduces the state exactly, masks included.
 */
export interface ModelSnapshot {
  weights: tf.Tensor[];
  masks: SnapshotMask[];
}

/**
 * Copy `model`'s weights and pruning state into a snapshot the caller owns (`disposeSnapshot`).
 *
 * @example
 * const s = takeSnapshot(model); // ... train ...
 * restoreSnapshot(model, s); disposeSnapshot(s);
 */
export function takeSnapshot(model: tf.LayersModel): ModelSnapshot {
  return {
    weights: model.getWeights().map((w) => tf.keep(w.clone())),
    masks: prunedWeights(model).map(({ layer, name, mask }) => ({
      layer: layer.name,
      name,
      original: tf.keep(getOriginal(layer, name)),
      mask: tf.keep(mask.clone()),
    })),
  };
}

/** Put `snapshot` back into `model` (same architecture): weights and masks; the snapshot is kept. */
export function restoreSnapshot(model: tf.LayersModel, snapshot: ModelSnapshot): void {
  clearPruning(model);
  model.setWeights(snapshot.weights);
  for (const m of snapshot.masks) {
    const layer = model.getLayer(m.layer);
    writeWeight(layer, m.name, m.original);
    applyMask(layer, m.name, m.mask);
  }
}

/** Free a snapshot's tensors. */
export function disposeSnapshot(snapshot: ModelSnapshot | null | undefined): void {
  if (!snapshot) return;
  tf.dispose(snapshot.weights);
  for (const m of snapshot.masks) tf.dispose([m.original, m.mask]);
}

/**
 * An independent copy of `model`: same architecture (rebuilt from its config, so layer names
 * are kept), same weights, same pruning masks. The copy shares no variables with `model`.
 *
 * @example
 * const copy = cloneModel(model);
 * // ... compress copy; model is untouched ...
 * copy.dispose();
 */
export function cloneModel(model: tf.LayersModel): tf.LayersModel {
  const ctor = model.constructor as unknown as {
    fromConfig: (cls: unknown, config: tf.serialization.ConfigDict) => tf.LayersModel;
  };
  const clone = ctor.fromConfig(model.constructor, model.getConfig() as tf.serialization.ConfigDict);
  const weights = model.getWeights();
  clone.setWeights(weights);
  copyPruning(model, clone);
  return clone;
}

/** Dispose a model together with its pruning state (masks and originals are tensors too). */
export function disposeModel(model: tf.LayersModel): void {
  clearPruning(model);
  model.dispose();
}
