import * as tf from '@tensorflow/tfjs';
import { assertThreshold } from './validate.js';

/**
 * The 0/1 (float32) mask keeping every score >= `thr` (Condensa keeps ties at the threshold).
 *
 * @example
 * maskFromThreshold(tf.tensor1d([1, 5, 3]), 3); // [0, 1, 1]
 */
export function maskFromThreshold<T extends tf.Tensor>(scores: T, thr: number): T {
  assertThreshold(thr, 'maskFromThreshold');
  return tf.tidy(() => tf.cast(tf.greaterEqual(scores, thr), 'float32')) as T;
}

/** `maskFromThreshold` on a plain array (used by the per-layer operators). */
export function keepAtLeast(scores: ArrayLike<number>, thr: number): Float32Array {
  const out = new Float32Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] >= thr ? 1 : 0;
  return out;
}
