/**
 * Conv2DBackpropInput for wasm. wasm's own kernel (tfjs-backend-wasm 4.22.0) is a naive scalar
 * loop: 886 ms against 69 ms composed on [64,15,15,64] x [3,3,64,128], 1 thread
 * (bench/train-throughput/kernel-timings.ts). Two compositions, picked by estimated cost:
 *
 * - conv path: dx = conv(dy with (s-1) zeros inserted between rows/columns, the filter rotated
 *   180 degrees with in/out channels swapped, stride 1, padding top = K-1-padTop,
 *   bottom = H - ((Ho-1)*s+1) + padTop). One XNNPACK conv, but it multiplies the padding and
 *   inserted zeros too: H*W/(Ho*Wo) times the forward MACs (2.25x on seedNet's conv3).
 * - GEMM + col2im path: cols = dy[N*Ho*Wo, Co] x W^T[Co, KH*KW*Ci] (XNNPACK matmul, exactly the
 *   forward MACs), then every column block is added to the input pixel it came from by a JS
 *   loop over the wasm heap. Costs a transpose of W and the scatter-add. CPU ms with fresh
 *   operands, 1 thread: seedNet width 1 (batch 32) conv3 431 (conv path) -> 228 (GEMM),
 *   conv2 553 -> 424; width .25 (batch 64) conv3 43 -> 28, conv2 66 (conv) vs 76 (GEMM).
 *
 * Matches the cpu backend to ~1e-7 relative (test/backend-kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import {
  call,
  conv2dExplicit,
  release,
  reshape,
  transpose,
  type KernelArgs,
  wasmBackend,
} from './compose.js';
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
  const gemm = backpropInputStrategy.force ? backpropInputStrategy.force === 'gemm' : useGemm(info);
  return gemm ? gemmCol2im(backend, dy, filter, info) : zeroInsertedConv(backend, dy, filter, info);
}

/** Tests force each path in turn; normally the cost model picks. */
export const backpropInputStrategy: { force?: 'gemm' | 'conv' } = {};

/**
 * Cost model (in multiply-accumulate equivalents, measured roughly on 1 thread): a MAC in
 * XNNPACK ~0.07 ns, a wasm transpose ~6 ns per element (~90 MACs), the JS scatter-add ~4 ns
 * per column element (~60 MACs, fitted to the figures in the header: it makes seedNet width
 * .25 conv2 take the conv path, 66 vs 76 ms, and keeps GEMM for the others).
 */
export function useGemm(info: tf.backend_util.Conv2DInfo): boolean {
  const { batchSize: N, inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo } = info;
  const kernel = info.filterHeight * info.filterWidth * info.inChannels;
  const convMacs = N * H * W * kernel * info.outChannels;
  const gemmMacs = N * Ho * Wo * kernel * info.outChannels;
  const overhead = 90 * kernel * info.outChannels + 60 * N * Ho * Wo * kernel;
  return gemmMacs + overhead < convMacs;
}

function gemmCol2im(
  backend: tf.KernelBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, outHeight: Ho, outWidth: Wo } = info;
  const [KH, KW, Ci, Co] = filter.shape;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const { top, left } = info.padInfo;
  const block = KH * KW * Ci;
  const w2 = reshape(backend, filter, [block, Co]);
  const wT = transpose(backend, w2, [1, 0]);
  const dy2 = reshape(backend, dy, [N * Ho * Wo, Co]);
  const cols = call('BatchMatMul', backend, { a: dy2, b: wT }, { transposeA: false, transposeB: false });
  release(backend, w2, wT, dy2);
  const wasm = wasmBackend(backend);
  // Allocate first: growing the wasm heap would detach views taken before it.
  const dx = wasm.makeOutput([N, H, W, Ci], 'float32');
  const out = wasm.typedArrayFromHeap(dx);
  const src = wasm.typedArrayFromHeap(cols);
  out.fill(0);
  let row = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++, row += block) {
        for (let kh = 0; kh < KH; kh++) {
          const r = i * sh - top + kh;
          if (r < 0 || r >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const q = j * sw - left + kw;
            if (q < 0 || q >= W) continue;
            const from = row + (kh * KW + kw) * Ci;
            const to = ((n * H + r) * W + q) * Ci;
            for (let c = 0; c < Ci; c++) out[to + c] += src[from + c];
          }
        }
      }
    }
  }
  release(backend, cols);
  return dx;
}

function zeroInsertedConv(
  backend: tf.KernelBackend,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
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
