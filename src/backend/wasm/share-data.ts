/**
 * Identity, and Cast to the same dtype, for wasm without a copy. wasm's kernels (tfjs-backend-wasm
 * 4.22.0) allocate a new buffer and copy every element, although tensors are immutable; training
 * runs them ~140 times a step (gradients of Add/Reshape/Relu pass through Identity, the layers'
 * casts are float32 -> float32), up to [64, 30, 30, 64] floats (15 MB) each. The replacement
 * shares the data buffer and counts a reference, as wasm's own Reshape and the cpu backend's
 * Identity do. Casts to bool are x != 0 (wasm's kernel stores the truncated number in a byte:
 * -0.5 became false, -2.2 became 254); other dtype changes still run wasm's kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { call, type KernelArgs, release } from './compose.js';

interface RefCounting {
  incRef(dataId: object): void;
}

function share(backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo {
  (backend as unknown as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function identity({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const { x } = inputs as { x: tf.TensorInfo };
  if (x.dtype === 'string') return call('Identity', backend, { x });
  return share(backend, x);
}

export function cast({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x } = inputs as { x: tf.TensorInfo };
  const { dtype } = attrs as unknown as tf.CastAttrs;
  if (dtype === x.dtype && dtype !== 'string') return share(backend, x);
  if (dtype === 'bool' && (x.dtype === 'float32' || x.dtype === 'int32')) {
    const zero = call('Fill', backend, {}, { shape: [], value: 0, dtype: x.dtype });
    const out = call('NotEqual', backend, { a: x, b: zero });
    release(backend, zero);
    return out;
  }
  return call('Cast', backend, { x }, { dtype });
}
