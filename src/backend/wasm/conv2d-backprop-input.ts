/**
 * Conv2DBackpropInput for wasm. wasm's own kernel (tfjs-backend-wasm 4.22.0) is a naive scalar
 * loop, 10-100x slower than its XNNPACK forward conv. Composed instead:
 *
 *   dx = conv(dy with (s-1) zeros inserted between rows/columns, the filter flipped in space
 *        with in/out channels swapped, stride 1, padding top = K-1-padTop,
 *        bottom = H - ((Ho-1)*s+1) + padTop)
 *
 * The zeros are inserted by one PadV2 (see conv-geometry.ts). Matches the cpu backend to ~1e-7
 * relative (test/backend-kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dExplicit, release, transpose, type KernelArgs } from './compose.js';
import { cropNegativePadding, flipSpatially, insertZeros } from './conv-geometry.js';

export function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (a.dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropInput supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const { top, left } = info.padInfo;
  const spread = insertZeros(backend, dy, sh, sw);
  // `spread` has (s-1) trailing zero rows beyond the last real one: count them as padding.
  const { x, padding } = cropNegativePadding(backend, spread, {
    top: kh - 1 - top,
    bottom: info.inHeight - (info.outHeight - 1) * sh - 1 + top - (sh - 1),
    left: kw - 1 - left,
    right: info.inWidth - (info.outWidth - 1) * sw - 1 + left - (sw - 1),
  });
  release(backend, spread);
  const flipped = flipSpatially(backend, filter);
  const swapped = transpose(backend, flipped, [0, 1, 3, 2]);
  release(backend, flipped);
  const dx = conv2dExplicit(backend, x, swapped, [1, 1], [1, 1], padding);
  release(backend, x, swapped);
  return dx;
}
