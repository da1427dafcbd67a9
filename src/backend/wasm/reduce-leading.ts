/**
 * Sum and Mean for wasm over leading axes. wasm's kernels (tfjs-backend-wasm 4.22.0) reduce only
 * innermost axes and otherwise transpose first with a slow generic transpose: Sum of
 * [64,30,30,64] over axes [0,1,2] (every batch-norm and conv-bias gradient) took 28-33 ms CPU
 * at seedNet shapes, 1 thread (bench/train-throughput/kernel-timings.ts).
 *
 * Replacement when the reduced axes are exactly the leading ones: one JS loop over the wasm
 * heap, adding x viewed as [R, C] row by row in doubles (the cpu backend's order and precision):
 * ~17 ms CPU on the same data. Two faster compositions were dropped: a matmul with a ones vector
 * repacks its operand on every new tensor (13-58 ms on fresh data), and XNNPACK AvgPool with one
 * window over [1, R/b, b, C] (2-5 ms) crashed with "memory access out of bounds" inside
 * compact() of seedNet (reported in docs/experiments.md; not reproduced in isolation).
 * Other axis sets and non-float inputs go to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { call, release, reshape, wasmBackend, type KernelArgs } from './compose.js';

function leadingReduction(name: 'Sum' | 'Mean', { inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x } = inputs as { x: tf.TensorInfo };
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
  const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== 'float32') return call(name, backend, { x }, { axis, keepDims });
  const R = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const kept = x.shape.slice(axes.length);
  const C = tf.util.sizeFromShape(kept);
  if (R === 0 || C === 0) return call(name, backend, { x }, { axis, keepDims });
  const wasm = wasmBackend(backend);
  // Allocate first: growing the wasm heap would detach views taken before it.
  const row = wasm.makeOutput([C], 'float32');
  const dst = wasm.typedArrayFromHeap(row);
  const src = wasm.typedArrayFromHeap(x);
  // Accumulate in doubles, row after row, like the cpu backend.
  const acc = new Float64Array(C);
  for (let r = 0, at = 0; r < R; r++) {
    for (let c = 0; c < C; c++, at++) acc[c] += src[at];
  }
  const scale = name === 'Mean' ? 1 / R : 1;
  for (let c = 0; c < C; c++) dst[c] = acc[c] * scale;
  const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
  const out = reshape(backend, row, outShape);
  release(backend, row);
  return out;
}

export function sum(args: KernelArgs): tf.TensorInfo {
  return leadingReduction('Sum', args);
}

export function mean(args: KernelArgs): tf.TensorInfo {
  return leadingReduction('Mean', args);
}
