/**
 * Conv2DBackpropFilter for wasm. tfjs-backend-wasm 4.22.0 has none, so every conv net fails to
 * train on wasm ("kernel not registered"). Composed from wasm's XNNPACK Conv2D:
 *
 *   dW[kh, kw, ci, co] = sum_{n,i,j} x[n, i*s + kh - pt, j*s + kw - pl, ci] * dy[n, i, j, co]
 *
 * is a forward conv of x transposed to [Ci, H, W, N] (channels as batch, batch as channels) with
 * dy transposed to [Ho, Wo, N, Co] as the filter, the forward stride becoming the dilation; its
 * output [Ci, KH, KW, Co] transposed back is dW. Rows the forward conv never read (when
 * (H + pads - K) is not a multiple of the stride) are cropped off instead of padded.
 * Matches the cpu backend to ~1e-6 relative (test/backend-kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dExplicit, release, slice, transpose, type KernelArgs } from './compose.js';

export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (a.dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  return filterGradient(backend, x, dy, info);
}

/** dW for a conv described by `info` (shared with the depthwise filter gradient's helpers). */
export function filterGradient(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [dh, dw] = [info.dilationHeight, info.dilationWidth];
  const { top, left } = info.padInfo;
  // Input extent the forward conv actually read, counted from the (padded) top/left edge.
  const needH = (info.outHeight - 1) * sh + (info.filterHeight - 1) * dh + 1 - top;
  const needW = (info.outWidth - 1) * sw + (info.filterWidth - 1) * dw + 1 - left;
  const H = info.inHeight;
  const W = info.inWidth;
  let src = x;
  if (needH < H || needW < W) {
    src = slice(backend, x, [0, 0, 0, 0], [x.shape[0], Math.min(H, needH), Math.min(W, needW), x.shape[3]]);
  }
  const xT = transpose(backend, src, [3, 1, 2, 0]);
  if (src !== x) release(backend, src);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const out = conv2dExplicit(backend, xT, dyT, [dh, dw], [sh, sw], {
    top,
    bottom: Math.max(0, needH - H),
    left,
    right: Math.max(0, needW - W),
  });
  release(backend, xT, dyT);
  const dW = transpose(backend, out, [1, 2, 0, 3]);
  release(backend, out);
  return dW;
}
