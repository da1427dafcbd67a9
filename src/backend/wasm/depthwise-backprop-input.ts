/**
 * DepthwiseConv2dNativeBackpropInput for wasm: missing in tfjs-backend-wasm 4.22.0 (depthwise
 * nets cannot train on wasm). Composed from wasm's XNNPACK depthwise conv:
 *
 *   dx = depthwise(dy with (s-1) zeros inserted, filter flipped in space, stride 1, the forward
 *        dilation kept), summed over the channel multiplier M.
 *
 * dy [N, Ho, Wo, C*M] is convolved channel-by-channel with the filter seen as [KH, KW, C*M, 1];
 * the result [N, H, W, C*M] viewed as [N, H, W, C, M] is summed over M (an innermost-axis sum).
 * Matches the cpu backend to ~1e-7 relative (test/backend-kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { call, depthwiseExplicit, release, reshape, type KernelArgs } from './compose.js';
import { cropNegativePadding, flipSpatially, insertZeros } from './conv-geometry.js';

export function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const [dh, dw] = [info.dilationHeight, info.dilationWidth];
  const { top, left } = info.padInfo;
  const [KH, KW, C, M] = filter.shape;
  const spread = insertZeros(backend, dy, sh, sw);
  const { x, padding } = cropNegativePadding(backend, spread, {
    top: info.effectiveFilterHeight - 1 - top,
    bottom: info.inHeight - info.outHeight * sh + top,
    left: info.effectiveFilterWidth - 1 - left,
    right: info.inWidth - info.outWidth * sw + left,
  });
  release(backend, spread);
  const flipped = flipSpatially(backend, filter);
  const perChannel = reshape(backend, flipped, [KH, KW, C * M, 1]);
  release(backend, flipped);
  const full = depthwiseExplicit(backend, x, perChannel, [1, 1], [dh, dw], padding);
  release(backend, x, perChannel);
  if (M === 1) return full;
  const [N, H, W] = full.shape;
  const split = reshape(backend, full, [N, H, W, C, M]);
  release(backend, full);
  const dx = call('Sum', backend, { x: split }, { axis: [4], keepDims: false });
  release(backend, split);
  return dx;
}
