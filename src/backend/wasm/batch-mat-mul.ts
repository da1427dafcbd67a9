/**
 * BatchMatMul for wasm with transposes. wasm's kernel (tfjs-backend-wasm 4.22.0) takes its fast
 * XNNPACK path only without transposes; with transposeA or transposeB it runs a scalar loop.
 * Training hits both on every dense layer (dW = x^T dy, dx = dy W^T). Measured at seedNet shapes
 * (bench/train-throughput/kernel-timings.ts, 1 thread, machine load ~9 on 2 cores):
 * [64,1024]^T x [64,512] 61 ms -> 13 ms replaced; [64,512] x [1024,512]^T 36 ms -> 7.5 ms;
 * the same product without transposes 2 ms.
 * Replacement: transpose the operand explicitly (a memory-bound copy), then the fast path. For
 * A x B^T with a big B and a few rows in A (a dense layer's input gradient dy x W^T), transposing
 * B (the weights) costs more than the product: compute (B x A^T)^T instead, which transposes
 * only A and the result (fc1 of seedNet width 1, batch 32: 208 ms cpu -> see BENCHMARKS.md).
 */
import * as tf from '@tensorflow/tfjs';
import { call, release, transpose, type KernelArgs } from './compose.js';

function swapLastTwo(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

export function batchMatMul({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return call('BatchMatMul', backend, { a, b }, { transposeA, transposeB });
  }
  const rank = a.shape.length;
  if (!transposeA && transposeB && rank === b.shape.length) {
    const [M, K] = a.shape.slice(-2);
    const N = b.shape[rank - 2];
    if (M * K + M * N < N * K) {
      // A x B^T = (B x A^T)^T: B needs no transpose.
      const aT = transpose(backend, a, swapLastTwo(rank));
      const product = call('BatchMatMul', backend, { a: b, b: aT }, { transposeA: false, transposeB: false });
      release(backend, aT);
      const out = transpose(backend, product, swapLastTwo(product.shape.length));
      release(backend, product);
      return out;
    }
  }
  const aa = transposeA ? transpose(backend, a, swapLastTwo(a.shape.length)) : a;
  const bb = transposeB ? transpose(backend, b, swapLastTwo(b.shape.length)) : b;
  const out = call('BatchMatMul', backend, { a: aa, b: bb }, { transposeA: false, transposeB: false });
  if (aa !== a) release(backend, aa);
  if (bb !== b) release(backend, bb);
  return out;
}
