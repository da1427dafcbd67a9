/**
 * Geometry shared by the composed conv gradients: zero-insertion ("dilating" a gradient by the
 * forward stride) and fitting a tensor to a conv padding that may come out negative.
 */
import * as tf from '@tensorflow/tfjs';
import { pad, release, reshape, slice, wasmBackend } from './compose.js';

/**
 * Insert (sh-1) zero rows after every row and (sw-1) zero columns after every column of an NHWC
 * tensor, trailing ones included: [N, Ho, Wo, C] -> [N, Ho*sh, Wo*sw, C]. Done as a reshape, a
 * zero pad of two unit axes and a reshape, so it is a single memory-bound wasm PadV2.
 */
export function insertZeros(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  sh: number,
  sw: number,
): tf.TensorInfo {
  if (sh === 1 && sw === 1) return reshape(backend, x, x.shape);
  const [N, H, W, C] = x.shape;
  const six = reshape(backend, x, [N, H, 1, W, 1, C]);
  const padded = pad(backend, six, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  release(backend, six);
  const out = reshape(backend, padded, [N, H * sh, W * sw, C]);
  release(backend, padded);
  return out;
}

export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Conv padding amounts can come out negative when composing gradients (rows the forward conv
 * never read). Crop those rows/columns from `x` instead and return the non-negative remainder.
 * Returns a new TensorInfo (release it) and the padding to use.
 */
export function cropNegativePadding(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  p: Padding,
): { x: tf.TensorInfo; padding: Padding } {
  const [N, H, W, C] = x.shape;
  const cut = {
    top: Math.max(0, -p.top),
    bottom: Math.max(0, -p.bottom),
    left: Math.max(0, -p.left),
    right: Math.max(0, -p.right),
  };
  const padding = {
    top: Math.max(0, p.top),
    bottom: Math.max(0, p.bottom),
    left: Math.max(0, p.left),
    right: Math.max(0, p.right),
  };
  if (cut.top + cut.bottom + cut.left + cut.right === 0) return { x: reshape(backend, x, x.shape), padding };
  const cropped = slice(
    backend,
    x,
    [0, cut.top, cut.left, 0],
    [N, H - cut.top - cut.bottom, W - cut.left - cut.right, C],
  );
  return { x: cropped, padding };
}

/**
 * A filter [KH, KW, A, B] rotated by 180 degrees in space. Flipping both spatial axes reverses
 * the flattened KH*KW index, so this is KH*KW block copies inside the wasm heap (wasm's Reverse
 * kernel is a per-element loop: 175 ms on a [3,3,512,1024] filter against ~5 ms for the copies).
 */
export function flipSpatially(backend: tf.KernelBackend, filter: tf.TensorInfo): tf.TensorInfo {
  const wasm = wasmBackend(backend);
  // Allocate first: growing the wasm heap would detach views taken before it.
  const out = wasm.makeOutput(filter.shape, filter.dtype);
  const src = wasm.typedArrayFromHeap(filter);
  const dst = wasm.typedArrayFromHeap(out);
  const [KH, KW] = filter.shape;
  const block = tf.util.sizeFromShape(filter.shape.slice(2));
  const K = KH * KW;
  for (let k = 0; k < K; k++) dst.set(src.subarray((K - 1 - k) * block, (K - k) * block), k * block);
  return out;
}
