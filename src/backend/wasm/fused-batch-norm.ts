/**
 * FusedBatchNorm for wasm. wasm's kernel (tfjs-backend-wasm 4.22.0) is a scalar loop with a
 * modulo per element: 16 ms on [64,15,15,64] at 1 thread, machine load ~9 on 2 cores
 * (bench/train-throughput/kernel-timings.ts). Replacement: fold everything per channel into
 * s = scale / sqrt(var + eps) and b = offset - mean * s (tiny tensors), then x * s + b with
 * wasm's broadcasting Multiply and Add: 11 ms -> 6.5 ms (same run); at load ~5,
 * 5.2 ms -> 4.8 ms. A small gain, kept because batch norm runs on every layer in both passes.
 * s and b are computed in a JS loop over the C channels rather than by six more wasm kernels:
 * each kernel call has a fixed cost that dominates at batch 1 (ResNet-20 at batch 1 spent 35% of
 * its kernel time in 21 FusedBatchNorm calls; bench/compaction/profile.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { call, release, type KernelArgs, wasmBackend } from './compose.js';

export function fusedBatchNorm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, mean, variance, offset, scale } = inputs as Record<string, tf.TensorInfo | undefined> & {
    x: tf.TensorInfo;
    mean: tf.TensorInfo;
    variance: tf.TensorInfo;
  };
  const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
  const C = x.shape[x.shape.length - 1];
  const perChannel = (t: tf.TensorInfo) => t.shape.length <= 1 && tf.util.sizeFromShape(t.shape) === C;
  const simple =
    x.dtype === 'float32' &&
    [mean, variance, offset, scale].every(
      (t) => t === undefined || (perChannel(t) && t.dtype === 'float32'),
    ) &&
    perChannel(mean) &&
    perChannel(variance);
  if (!simple) {
    const original: tf.NamedTensorInfoMap = { x, mean, variance };
    if (offset) original.offset = offset;
    if (scale) original.scale = scale;
    return call('FusedBatchNorm', backend, original, { varianceEpsilon });
  }
  const { s: sC, b: bC } = perChannelAffine(backend, { mean, variance, offset, scale }, varianceEpsilon, C);
  const scaled = call('Multiply', backend, { a: x, b: sC });
  const out = call('Add', backend, { a: scaled, b: bC });
  release(backend, scaled, sC, bC);
  return out;
}

/** s = scale / sqrt(variance + eps) and b = offset - mean * s, per channel, as [C] tensors. */
function perChannelAffine(
  backend: tf.KernelBackend,
  p: { mean: tf.TensorInfo; variance: tf.TensorInfo; offset?: tf.TensorInfo; scale?: tf.TensorInfo },
  eps: number,
  C: number,
): { s: tf.TensorInfo; b: tf.TensorInfo } {
  const wasm = wasmBackend(backend);
  // Allocate first: growing the wasm heap would detach views taken before it.
  const s = wasm.makeOutput([C], 'float32');
  const b = wasm.makeOutput([C], 'float32');
  const view = (t?: tf.TensorInfo) => (t ? wasm.typedArrayFromHeap(t) : undefined);
  const [mean, variance, offset, scale] = [p.mean, p.variance, p.offset, p.scale].map(view);
  const sv = wasm.typedArrayFromHeap(s);
  const bv = wasm.typedArrayFromHeap(b);
  for (let c = 0; c < C; c++) {
    const k = (scale ? scale[c] : 1) / Math.sqrt(variance![c] + eps);
    sv[c] = k;
    bv[c] = (offset ? offset[c] : 0) - mean![c] * k;
  }
  return { s, b };
}
