import * as tf from '@tensorflow/tfjs';
import { applyMask } from '../pruning/state.js';

/** A mask computed for one weight, not yet applied. */
export interface PendingMask {
  name: string;
  shape: number[];
  mask: Float32Array;
}

/**
 * Apply masks that were all computed beforehand: the operators validate and compute every mask
 * first, so an error (bad argument, NaN weight, unsupported layer) leaves the layer unchanged.
 */
export function applyPending(layer: tf.layers.Layer, pending: readonly PendingMask[]): void {
  for (const p of pending) {
    const m = tf.tensor(p.mask, p.shape);
    try {
      applyMask(layer, p.name, m);
    } finally {
      m.dispose();
    }
  }
}
