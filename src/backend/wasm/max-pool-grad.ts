/**
 * MaxPoolGrad for wasm. wasm's own kernel (tfjs-backend-wasm 4.22.0) is WRONG: its running
 * maximum starts at the smallest positive float, so a window whose values are all <= 0 gets no
 * gradient (relative error 0.25 on N(0,1) input; after a ReLU every all-zero window loses its
 * gradient). wasm's MaxPoolWithArgmax has the same bug (it returns 1.18e-38 and index 0 for an
 * all-negative window), so it cannot be used either.
 *
 * Replacement: one exact loop in JS straight over the wasm heap (no copies): for every output,
 * the first maximum of its window in row-major order (the element the cpu backend picks on
 * ties; padding never wins) receives dy, added up where windows overlap. A first version
 * composed of wasm kernels (pad with -inf, reshape/transpose windows innermost, ArgMax, OneHot
 * x dy, transpose back) took 135 ms on [64,30,30,64] 2x2/2 against wasm's 175 ms, because
 * wasm's 6-D transposes are scalar loops. This loop, with 2x2/2 windows unrolled: 31 ms CPU on
 * [64,30,30,64] against wasm's 85 ms (fresh inputs, 1 thread; BENCHMARKS.md).
 * Matches the cpu backend exactly, including all-zero and all-negative windows
 * (test/backend-kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { wasmBackend, type KernelArgs } from './compose.js';

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
  const wasm = wasmBackend(backend);
  // Allocate first: growing the wasm heap would detach views taken before it.
  const dx = wasm.makeOutput(input.shape, 'float32');
  const out = wasm.typedArrayFromHeap(dx);
  const xs = wasm.typedArrayFromHeap(input);
  const dys = wasm.typedArrayFromHeap(dy);
  out.fill(0);
  const [N, H, W, C] = input.shape;
  if (isPlain2x2(info)) {
    pool2x2Grad(xs, dys, out, N, H, W, C, info.outHeight, info.outWidth);
    return dx;
  }
  const { outHeight: Ho, outWidth: Wo, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const best = new Float32Array(C);
  const at = new Int32Array(C);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++, o += C) {
        at.fill(-1);
        // Scan the window position by position (row-major), all channels at once: contiguous.
        for (let kh = 0; kh < fh; kh++) {
          const r = i * sh - top + kh * dh;
          if (r < 0 || r >= H) continue;
          for (let kw = 0; kw < fw; kw++) {
            const q = j * sw - left + kw * dw;
            if (q < 0 || q >= W) continue;
            const base = ((n * H + r) * W + q) * C;
            for (let c = 0; c < C; c++) {
              const v = xs[base + c];
              if (at[c] < 0 || v > best[c]) {
                best[c] = v;
                at[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) if (at[c] >= 0) out[at[c]] += dys[o + c];
      }
    }
  }
  return dx;
}

/** 2x2 windows, stride 2, no padding, all inside x: the pool of every model in the project. */
function isPlain2x2(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    2 * info.outHeight <= info.inHeight &&
    2 * info.outWidth <= info.inWidth
  );
}

/** The same rule as the general loop, unrolled for 2x2/2 windows (about 3x faster). */
function pool2x2Grad(
  xs: Float32Array,
  dys: Float32Array,
  out: Float32Array,
  N: number,
  H: number,
  W: number,
  C: number,
  Ho: number,
  Wo: number,
): void {
  const rowStride = W * C;
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < Ho; i++) {
      const top = (n * H + 2 * i) * rowStride;
      for (let j = 0; j < Wo; j++, o += C) {
        const a0 = top + 2 * j * C;
        const a1 = a0 + C;
        const b0 = a0 + rowStride;
        const b1 = b0 + C;
        for (let c = 0; c < C; c++) {
          // First maximum in row-major order: a later element wins only if strictly greater.
          let at = a0 + c;
          let best = xs[at];
          if (xs[a1 + c] > best) {
            at = a1 + c;
            best = xs[at];
          }
          if (xs[b0 + c] > best) {
            at = b0 + c;
            best = xs[at];
          }
          if (xs[b1 + c] > best) at = b1 + c;
          out[at] = dys[o + c];
        }
      }
    }
  }
}
