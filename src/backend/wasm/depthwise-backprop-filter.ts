/**
 * DepthwiseConv2dNativeBackpropFilter for wasm: missing in tfjs-backend-wasm 4.22.0. Composed
 * from wasm's XNNPACK depthwise conv, with the same "batch becomes channels" idea as
 * conv2d-backprop-filter.ts:
 *
 *   dW[kh, kw, c, m] = sum_{n,i,j} x[n, i*s + kh*d - pt, j*s + kw*d - pl, c] * dy[n, i, j, c*M + m]
 *
 * x (repeated M times along channels) is viewed as one image [1, H, W, N*C*M] and dy as a
 * per-channel filter [Ho, Wo, N*C*M, 1]; a depthwise conv with stride d and dilation s gives
 * [1, KH, KW, N*C*M], which summed over N is dW. Matches the cpu backend to ~1e-7 relative.
 */
import * as tf from '@tensorflow/tfjs';
import {
  call,
  depthwiseExplicit,
  fill,
  release,
  reshape,
  slice,
  transpose,
  type KernelArgs,
} from './compose.js';

export function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const [KH, KW, C, M] = a.filterShape;
  const [N, H, W] = x.shape;
  const [Ho, Wo] = [info.outHeight, info.outWidth];
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [dh, dw] = [info.dilationHeight, info.dilationWidth];
  const { top, left } = info.padInfo;
  const needH = (Ho - 1) * sh + (KH - 1) * dh + 1 - top;
  const needW = (Wo - 1) * sw + (KW - 1) * dw + 1 - left;

  let src = x;
  if (needH < H || needW < W)
    src = slice(backend, x, [0, 0, 0, 0], [N, Math.min(H, needH), Math.min(W, needW), C]);
  let repeated = src;
  if (M > 1) {
    // x[..., c] repeated for each multiplier m, laid out as channel c*M + m like dy.
    const five = reshape(backend, src, [...src.shape, 1]);
    const ones = fill(backend, [1, 1, 1, 1, M], 1);
    const product = call('Multiply', backend, { a: five, b: ones });
    release(backend, five, ones);
    repeated = reshape(backend, product, [N, src.shape[1], src.shape[2], C * M]);
    release(backend, product);
  }
  if (src !== x) release(backend, src);
  const hwnc = transpose(backend, repeated, [1, 2, 0, 3]);
  if (repeated !== x) release(backend, repeated);
  const image = reshape(backend, hwnc, [1, hwnc.shape[0], hwnc.shape[1], N * C * M]);
  release(backend, hwnc);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const kernel = reshape(backend, dyT, [Ho, Wo, N * C * M, 1]);
  release(backend, dyT);
  const out = depthwiseExplicit(backend, image, kernel, [dh, dw], [sh, sw], {
    top,
    bottom: Math.max(0, needH - H),
    left,
    right: Math.max(0, needW - W),
  });
  release(backend, image, kernel);
  const perSample = reshape(backend, out, [KH, KW, N, C * M]);
  release(backend, out);
  const summed = call('Sum', backend, { x: perSample }, { axis: [2], keepDims: false });
  release(backend, perSample);
  const dW = reshape(backend, summed, [KH, KW, C, M]);
  release(backend, summed);
  return dW;
}
