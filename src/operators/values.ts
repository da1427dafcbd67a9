import * as tf from '@tensorflow/tfjs';
import { TensorError } from '../errors.js';

/**
 * What the pure mask functions accept: one tensor, several tensors (a global ranking over many
 * layers without concatenating them on the device), or plain numbers.
 */
export type Values = tf.Tensor | readonly tf.Tensor[] | Float32Array | readonly number[];

/** Total number of entries in `values`. */
export function countOf(values: Values): number {
  if (values instanceof tf.Tensor) return values.size;
  if (values instanceof Float32Array) return values.length;
  if (values.length > 0 && values[0] instanceof tf.Tensor) {
    return (values as readonly tf.Tensor[]).reduce((s, t) => s + t.size, 0);
  }
  return values.length;
}

/**
 * The entries of `values` as one flat Float32Array (a fresh copy the caller may mutate).
 * Read on the CPU because every consumer (selection, sorting, counting) is sequential work.
 */
export function toFloat32(values: Values): Float32Array {
  if (values instanceof tf.Tensor) return Float32Array.from(values.dataSync() as ArrayLike<number>);
  if (values instanceof Float32Array) return values.slice();
  if (values.length > 0 && values[0] instanceof tf.Tensor) {
    const tensors = values as readonly tf.Tensor[];
    const out = new Float32Array(countOf(tensors));
    let at = 0;
    for (const t of tensors) {
      out.set(t.dataSync() as ArrayLike<number>, at);
      at += t.size;
    }
    return out;
  }
  return Float32Array.from(values as readonly number[]);
}

/**
 * Throw a `TensorError` naming `what` when `data` holds NaN or +-Inf: a magnitude ranking over
 * NaN is meaningless and would silently keep or drop arbitrary entries.
 */
export function assertFinite(data: ArrayLike<number>, what: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new TensorError(
        `${what} holds a non-finite value (${data[i]}) at flat index ${i}; pruning and quantization accept finite weights only`,
      );
    }
  }
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}
