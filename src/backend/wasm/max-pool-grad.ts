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
 * wasm's 6-D transposes are scalar loops; see BENCHMARKS.md for this loop's figure.
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
