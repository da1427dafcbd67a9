/**
 * MaxPoolGrad for wasm. wasm's own kernel (tfjs-backend-wasm 4.22.0) is WRONG: its running
 * maximum starts at the smallest positive float, so a window whose values are all <= 0 gets no
 * gradient (relative error 0.25 on N(0,1) input; after a ReLU every all-zero window loses its
 * gradient). wasm's MaxPoolWithArgmax has the same bug (it returns 1.18e-38 and index 0 for an
 * all-negative window), so it cannot be used either.
 *
 * Fast path (windows that tile the input: stride == window, the case of every 2x2/2 pool in the
 * project's models): pad with -inf to whole windows, reshape/transpose so each window is the
 * innermost axis, take wasm's ArgMax (correct, first maximum on ties like the cpu backend),
 * spread dy with OneHot * dy and transpose back. All steps are wasm kernels (memory-bound copies).
 * Other windows (overlapping or dilated) use an exact loop in JS over the wasm heap.
 * Both match the cpu backend exactly, including all-zero and all-negative windows
 * (test/backend-kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import {
  call,
  pad,
  release,
  reshape,
  slice,
  transpose,
  type KernelArgs,
  type WasmBackendLike,
} from './compose.js';

export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const a = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const tiles =
    info.strideHeight === info.filterHeight &&
    info.strideWidth === info.filterWidth &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1;
  return tiles ? tiledMaxPoolGrad(backend, dy, input, info) : loopMaxPoolGrad(backend, dy, input, info);
}

function tiledMaxPoolGrad(
  backend: tf.KernelBackend,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const [N, H, W, C] = x.shape;
  const [fh, fw] = [info.filterHeight, info.filterWidth];
  const [Ho, Wo] = [info.outHeight, info.outWidth];
  const { top, left } = info.padInfo;
  // Rows/columns of x the windows cover: [0, keepH) x [0, keepW); the rest gets no gradient.
  const keepH = Math.min(H, Ho * fh - top);
  const keepW = Math.min(W, Wo * fw - left);
  let src = x;
  if (keepH < H || keepW < W) src = slice(backend, x, [0, 0, 0, 0], [N, keepH, keepW, C]);
  const padded = call(
    'PadV2',
    backend,
    { x: src },
    {
      paddings: [
        [0, 0],
        [top, Ho * fh - top - keepH],
        [left, Wo * fw - left - keepW],
        [0, 0],
      ],
      constantValue: -Infinity,
    },
  );
  if (src !== x) release(backend, src);
  const win6 = reshape(backend, padded, [N, Ho, fh, Wo, fw, C]);
  const winLast = transpose(backend, win6, [0, 1, 3, 5, 2, 4]);
  const windows = reshape(backend, winLast, [N, Ho, Wo, C, fh * fw]);
  const argmax = call('ArgMax', backend, { x: windows }, { axis: 4 });
  release(backend, padded, win6, winLast, windows);
  // wasm's OneHot writes int32 whatever dtype it is asked for: cast explicitly.
  const hotInt = call(
    'OneHot',
    backend,
    { indices: argmax },
    { depth: fh * fw, onValue: 1, offValue: 0, dtype: 'int32' },
  );
  const hot = call('Cast', backend, { x: hotInt }, { dtype: 'float32' });
  const dy5 = reshape(backend, dy, [N, Ho, Wo, C, 1]);
  const spread = call('Multiply', backend, { a: hot, b: dy5 });
  release(backend, argmax, hotInt, hot, dy5);
  const spread6 = reshape(backend, spread, [N, Ho, Wo, C, fh, fw]);
  const back6 = transpose(backend, spread6, [0, 1, 4, 2, 5, 3]);
  const back = reshape(backend, back6, [N, Ho * fh, Wo * fw, C]);
  release(backend, spread, spread6, back6);
  let dx = back;
  if (top > 0 || left > 0 || keepH !== Ho * fh || keepW !== Wo * fw) {
    dx = slice(backend, back, [0, top, left, 0], [N, keepH, keepW, C]);
    release(backend, back);
  }
  if (keepH < H || keepW < W) {
    const full = pad(backend, dx, [
      [0, 0],
      [0, H - keepH],
      [0, W - keepW],
      [0, 0],
    ]);
    release(backend, dx);
    dx = full;
  }
  return dx;
}

/** Exact reference loop (overlapping or dilated windows): first maximum in row-major order. */
function loopMaxPoolGrad(
  backend: tf.KernelBackend,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const wasm = backend as unknown as WasmBackendLike & {
    typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  };
  // Allocate first: growing the wasm heap would detach views taken before it.
  const dx = wasm.makeOutput(x.shape, 'float32');
  const xs = wasm.readSync(x.dataId) as Float32Array;
  const dys = wasm.readSync(dy.dataId) as Float32Array;
  const out = wasm.typedArrayFromHeap(dx);
  out.fill(0);
  const [N, H, W, C] = x.shape;
  const { outHeight: Ho, outWidth: Wo, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let kh = 0; kh < fh; kh++) {
            const r = i * sh - top + kh * dh;
            if (r < 0 || r >= H) continue;
            for (let kw = 0; kw < fw; kw++) {
              const q = j * sw - left + kw * dw;
              if (q < 0 || q >= W) continue;
              const idx = ((n * H + r) * W + q) * C + c;
              if (xs[idx] > best || at < 0) {
                best = xs[idx];
                at = idx;
              }
            }
          }
          if (at >= 0) out[at] += dys[((n * Ho + i) * Wo + j) * C + c];
        }
      }
    }
  }
  return dx;
}
