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
 * An im2col + GEMM form is usually faster: the columns are gathered by a JS loop straight into
 * the transposed layout colsT[KH*KW*Ci, N*Ho*Wo], then dW = colsT x dy is one XNNPACK matmul.
 * CPU ms per call with fresh operands each call (as in training; XNNPACK caches packed weights
 * per tensor, so reusing operands times a cache hit), 1 thread, load ~7 on 2 cores:
 *
 *   layer (seedNet)                    forward   conv path   GEMM path
 *   width 1 conv1 x[32,32,32,3] Co 256      37         112     103 (45*)
 *   width 1 conv2 x[32,15,15,256] Co 512   424         583         488
 *   width 1 conv3 x[32,6,6,512] Co 1024    218         209         173
 *   width .25 conv1 x[64,32,32,3] Co 64     20          47          33
 *   width .25 conv2 x[64,15,15,64] Co 128   53          84          84
 *   width .25 conv3 x[64,6,6,128] Co 256    21          29          30
 *
 * (* with the dy^T x cols orientation, below.)
 * A third form without the im2col loop, one XNNPACK matmul per tap on zero-copy shifted views
 * of the padded input (stride 1), was tried and measured 1.4-3.7x the conv path's CPU time at
 * these shapes (padding waste, per-tap packing and transposes; BENCHMARKS.md), so it was removed.
 * So GEMM is used unless the columns would exceed 32 M floats (128 MB), or the conv is dilated.
 * Both match the cpu backend to ~1e-6 relative (test/backend-kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import {
  call,
  conv2dExplicit,
  release,
  reshape,
  slice,
  transpose,
  type KernelArgs,
  wasmBackend,
} from './compose.js';

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
  const gemm = backpropFilterStrategy.force
    ? backpropFilterStrategy.force === 'gemm'
    : useGemmForFilter(info);
  return gemm ? gemmFilterGradient(backend, x, dy, info) : filterGradient(backend, x, dy, info);
}

/** Tests force each path in turn; normally useGemmForFilter picks. */
export const backpropFilterStrategy: { force?: 'gemm' | 'conv' } = {};

/**
 * GEMM where it measured faster (see the header): an input with few channels (an RGB image)
 * and a wide output, where the conv path's "filter" is the whole huge dy.
 */
export function useGemmForFilter(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels <= 4 && info.outChannels >= 128
  );
}

/**
 * im2col + GEMM: the columns are gathered by a JS loop over the wasm heap (zeros where the
 * window hangs over the padding), either already transposed, colsT[KH*KW*Ci, N*Ho*Wo], so that
 * dW = colsT x dy[N*Ho*Wo, Co] is one XNNPACK matmul with no transpose of dy, or as
 * cols[N*Ho*Wo, KH*KW*Ci] for dW = (dy^T x cols)^T when the window is smaller than Co.
 */
function gemmFilterGradient(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const [N, H, W, Ci] = x.shape;
  const { outHeight: Ho, outWidth: Wo, outChannels: Co, filterHeight: KH, filterWidth: KW } = info;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const { top, left } = info.padInfo;
  const block = KH * KW * Ci;
  const P = N * Ho * Wo;
  // Orientation (CPU ms, fresh operands): XNNPACK packs the right-hand operand on every call, so
  // pack whichever is smaller. colsT x dy packs dy [P, Co]; dy^T x cols transposes dy and packs
  // cols [P, block]. seedNet width 1 conv1 (block 27, Co 256): 106 -> 45 ms; conv2 (block 2304,
  // Co 512) and width .25 conv2 (block 576, Co 128) are faster as colsT x dy (57 vs 128 ms).
  const transposed = block >= Co;
  const [sp, sk] = transposed ? [1, P] : [block, 1];
  const wasm = wasmBackend(backend);
  // Allocate first: growing the wasm heap would detach views taken before it.
  const cols = wasm.makeOutput(transposed ? [block, P] : [P, block], 'float32');
  const dst = wasm.typedArrayFromHeap(cols);
  const src = wasm.typedArrayFromHeap(x);
  let p = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++, p++) {
        for (let kh = 0; kh < KH; kh++) {
          const r = i * sh - top + kh;
          for (let kw = 0; kw < KW; kw++) {
            const q = j * sw - left + kw;
            let at = p * sp + (kh * KW + kw) * Ci * sk;
            if (r < 0 || r >= H || q < 0 || q >= W) {
              for (let c = 0; c < Ci; c++, at += sk) dst[at] = 0;
              continue;
            }
            const from = ((n * H + r) * W + q) * Ci;
            for (let c = 0; c < Ci; c++, at += sk) dst[at] = src[from + c];
          }
        }
      }
    }
  }
  const dy2 = reshape(backend, dy, [P, Co]);
  const flat = transposed ? matmul(backend, cols, dy2) : transposedProduct(backend, dy2, cols);
  release(backend, cols, dy2);
  const dW = reshape(backend, flat, [KH, KW, Ci, Co]);
  release(backend, flat);
  return dW;
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

function matmul(backend: tf.KernelBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  return call('BatchMatMul', backend, { a, b }, { transposeA: false, transposeB: false });
}

/** dy^T x cols, transposed back: [block, Co]. */
function transposedProduct(
  backend: tf.KernelBackend,
  dy2: tf.TensorInfo,
  cols: tf.TensorInfo,
): tf.TensorInfo {
  const dyT = transpose(backend, dy2, [1, 0]);
  const product = matmul(backend, dyT, cols);
  release(backend, dyT);
  const out = transpose(backend, product, [1, 0]);
  release(backend, product);
  return out;
}
