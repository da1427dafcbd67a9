/**
 * Conv2DBackpropFilter for stride-1, undilated convolutions as KH*KW matrix products on
 * zero-copy views, with no im2col copy and no JS loop over the data:
 *
 *   x padded (PadV2) to xp[N+1, Hp, Wp, Ci], Hp = Ho + KH - 1, Wp = Wo + KW - 1 (the extra image
 *   is zeros the last views run into), and dy zero-padded to dyp[N, Hp, Wp, Co]. Flattened to
 *   rows q = (n*Hp + i)*Wp + j, tap (kh, kw) reads input row q + kh*Wp + kw for every output
 *   row q, so its input rows are one contiguous block of xp: a view at that offset, made
 *   without copying. dW[kh, kw]^T = dyp^T [Co, Q] x view [Q, Ci] is one XNNPACK matmul
 *   (threaded; dyp^T is transposed once for all taps); rows where dyp is zero add nothing.
 *
 * The padded rows cost (Hp*Wp) / (Ho*Wo) times the arithmetic (1.14x on 30x30 outputs, 2.25x on
 * 4x4), so the caller uses this where that waste is small.
 */
import * as tf from '@tensorflow/tfjs';
import { call, pad, release, reshape, transpose, wasmBackend } from './compose.js';

/** The parts of tfjs's wasm backend a zero-copy view needs (not in its public typings). */
interface WasmInternals {
  dataIdMap: { get(id: object): { id: number; memoryOffset: number }; delete(id: object): boolean };
  wasm: { tfjs: { disposeData(id: number): void } };
}

/** Arithmetic of the padded products over the exact one: (Hp * Wp) / (Ho * Wo). */
export function shiftedWaste(info: tf.backend_util.Conv2DInfo): number {
  const hp = info.outHeight + info.filterHeight - 1;
  const wp = info.outWidth + info.filterWidth - 1;
  return (hp * wp) / (info.outHeight * info.outWidth);
}

/** Whether `shiftedFilterGradient` computes this conv's gradient (stride 1, no dilation). */
export function shiftedApplies(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1
  );
}

export function shiftedFilterGradient(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const [N, H, W, Ci] = x.shape;
  const { outHeight: Ho, outWidth: Wo, outChannels: Co, filterHeight: KH, filterWidth: KW } = info;
  const { top, left } = info.padInfo;
  const Hp = Ho + KH - 1;
  const Wp = Wo + KW - 1;
  const Q = N * Hp * Wp;
  const xp = pad(backend, x, [
    [0, 1],
    [top, Hp - H - top],
    [left, Wp - W - left],
    [0, 0],
  ]);
  const dyp = pad(backend, dy, [
    [0, 0],
    [0, KH - 1],
    [0, KW - 1],
    [0, 0],
  ]);
  const dyFlat = reshape(backend, dyp, [Q, Co]);
  const dyT = transpose(backend, dyFlat, [1, 0]);
  release(backend, dyp, dyFlat);
  const wasm = wasmBackend(backend);
  const internals = backend as unknown as WasmInternals;
  // Allocate the result before taking heap views: allocation may grow (and detach) the heap.
  const dW = wasm.makeOutput([KH, KW, Ci, Co], 'float32');
  const base = internals.dataIdMap.get(xp.dataId).memoryOffset;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const view = wasm.makeOutput([Q, Ci], 'float32', base + (kh * Wp + kw) * Ci * 4);
      const product = call(
        'BatchMatMul',
        backend,
        { a: dyT, b: view },
        { transposeA: false, transposeB: false },
      );
      dropView(internals, view);
      // product is [Co, Ci]; dW[kh, kw] is [Ci, Co].
      const src = wasm.typedArrayFromHeap(product);
      const dst = wasm.typedArrayFromHeap(dW);
      const at = (kh * KW + kw) * Ci * Co;
      for (let c = 0; c < Ci; c++) for (let o = 0; o < Co; o++) dst[at + c * Co + o] = src[o * Ci + c];
      release(backend, product);
    }
  }
  release(backend, xp, dyT);
  return dW;
}

/**
 * Forget a view without freeing its memory (it belongs to xp): the backend's disposeData would
 * `free` the interior pointer. Dropping the id also drops XNNPACK operators cached for it.
 */
function dropView(internals: WasmInternals, view: tf.TensorInfo): void {
  const { id } = internals.dataIdMap.get(view.dataId);
  internals.wasm.tfjs.disposeData(id);
  internals.dataIdMap.delete(view.dataId);
}
