/**
 * Sum and Mean for wasm over leading axes. wasm's kernels (tfjs-backend-wasm 4.22.0) reduce only
 * innermost axes and otherwise transpose first with a slow generic transpose: Sum of
 * [64,30,30,64] over axes [0,1,2] (every batch-norm and conv-bias gradient) took 54-113 ms at
 * seedNet shapes, 1 thread, machine load 8-13 on 2 cores (bench/train-throughput/kernel-timings.ts).
 * A matmul with a ones vector was fast only when its operand was reused (XNNPACK packs the
 * matrix as weights on every new tensor: 13-58 ms on fresh data, as in training). Replacement
 * when the reduced axes are exactly the leading ones: view x as an image [1, R/b, b, C] (b the
 * last reduced dimension) and run wasm's XNNPACK AvgPool with one window over all of it, times R
 * for Sum: 2-5 ms on fresh [64,30,30,64] data against wasm's 29 ms. Other axis sets and
 * non-float inputs go to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { call, fill, release, reshape, type KernelArgs } from './compose.js';

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
  // x as an image [1, R/b, b, C] (b = the last reduced dimension), averaged over one window
  // covering it all.
  const b = x.shape[axes.length - 1];
  const image = reshape(backend, x, [1, R / b, b, C]);
  const averaged = call(
    'AvgPool',
    backend,
    { x: image },
    { filterSize: [R / b, b], strides: [1, 1], pad: 'valid' },
  );
  release(backend, image);
  let row = averaged;
  if (name === 'Sum') {
    const count = fill(backend, [1], R);
    row = call('Multiply', backend, { a: averaged, b: count });
    release(backend, count, averaged);
  }
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
