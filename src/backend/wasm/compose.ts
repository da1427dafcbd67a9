/**
 * Helpers for writing wasm kernels as compositions of the wasm backend's own (XNNPACK-backed)
 * kernels. A composed kernel works on TensorInfo, not Tensor: it calls other kernels' kernelFunc
 * directly (no engine, no tape, no scope), so every intermediate it creates must be released with
 * `release()`; only the returned TensorInfo survives.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of the wasm backend object a composed kernel needs. */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  incRef(dataId: object): void;
  readSync(dataId: object): tf.backend_util.BackendValues;
  /** A view of a float32 tensor's data on the wasm heap (invalidated if the heap grows). */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** The wasm backend seen through the methods composed kernels use. */
export function wasmBackend(backend: tf.KernelBackend): WasmBackendLike {
  return backend as unknown as WasmBackendLike;
}

/** Arguments every kernelFunc receives. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/**
 * The kernels the wasm package registered before we replaced any of them. A replacement calls
 * the original through this map (not tf.getKernel, which would find the replacement itself).
 */
const originals = new Map<string, tf.KernelConfig>();

/** Remember wasm's own kernel `name` (first call only) and return it, if it exists. */
export function captureOriginal(name: string): tf.KernelConfig | undefined {
  if (!originals.has(name)) {
    const config = tf.getKernel(name, 'wasm');
    if (config) originals.set(name, config);
  }
  return originals.get(name);
}

/** Run wasm kernel `name` (the original wasm one when we replaced it) on TensorInfos. */
export function call(
  name: string,
  backend: tf.KernelBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const config = originals.get(name) ?? tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm kernel '${name}' is not registered`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  return (Array.isArray(out) ? out[0] : out) as tf.TensorInfo;
}

/** Release intermediates created by `call` (never pass a kernel's inputs or its result). */
export function release(backend: tf.KernelBackend, ...infos: (tf.TensorInfo | undefined)[]): void {
  for (const info of infos) if (info) (backend as unknown as WasmBackendLike).disposeData(info.dataId);
}

/** A reshape that shares the data (wasm's Reshape increments its reference count). */
export function reshape(backend: tf.KernelBackend, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return call('Reshape', backend, { x }, { shape });
}

export function transpose(backend: tf.KernelBackend, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return call('Transpose', backend, { x }, { perm });
}

/** Zero-pad `x` by `paddings` ([before, after] per axis). */
export function pad(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  paddings: [number, number][],
): tf.TensorInfo {
  return call('PadV2', backend, { x }, { paddings, constantValue: 0 });
}

export function slice(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
): tf.TensorInfo {
  return call('Slice', backend, { x }, { begin, size });
}

/** A float32 tensor filled with `value`, made on the wasm heap. */
export function fill(backend: tf.KernelBackend, shape: number[], value: number): tf.TensorInfo {
  return call('Fill', backend, {}, { shape, value, dtype: 'float32' });
}

/** tfjs's NHWC explicit-padding form of (top, bottom, left, right). */
function explicitPadding(p: { top: number; bottom: number; left: number; right: number }) {
  return [
    [0, 0],
    [p.top, p.bottom],
    [p.left, p.right],
    [0, 0],
  ] as tf.backend_util.ExplicitPadding;
}

/** Forward conv through wasm's XNNPACK Conv2D with explicit padding (top, bottom, left, right). */
export function conv2dExplicit(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  strides: [number, number],
  dilations: [number, number],
  padding: { top: number; bottom: number; left: number; right: number },
): tf.TensorInfo {
  const explicit = explicitPadding(padding);
  return call('Conv2D', backend, { x, filter }, { strides, dilations, pad: explicit, dataFormat: 'NHWC' });
}

/** Depthwise conv through wasm's XNNPACK kernel with explicit padding. */
export function depthwiseExplicit(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  strides: [number, number],
  dilations: [number, number],
  padding: { top: number; bottom: number; left: number; right: number },
): tf.TensorInfo {
  const explicit = explicitPadding(padding);
  return call(
    'DepthwiseConv2dNative',
    backend,
    { x, filter },
    { strides, dilations, pad: explicit, dataFormat: 'NHWC' },
  );
}

/**
 * Register `kernelFunc` as wasm's `name`, keeping the original's setupFunc (which binds the
 * C++ entry points the original needs when we call it) and remembering the original.
 */
export function registerWasmKernel(name: string, kernelFunc: tf.KernelFunc): void {
  const original = captureOriginal(name);
  if (original) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', setupFunc: original?.setupFunc, kernelFunc });
}

/** wasm's own kernel `name` as registered before condensa-ts replaced it (for benchmarks). */
export function originalWasmKernel(name: string): tf.KernelConfig | undefined {
  return originals.get(name) ?? tf.getKernel(name, 'wasm');
}
