import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { getWeightVariable, writeWeight } from '../pruning/state.js';
import { roundToAffine8, type AffineParams } from './affine8.js';
import { roundToFloat16 } from './float16.js';
import { operatorLayerKind } from './layerKinds.js';
import { hasWeight, readWeightData } from './layerWeights.js';

/** Quantization forms: Condensa's cast to `float16`, or 8-bit affine per tensor (`int8`). */
export type QuantizeDtype = 'float16' | 'int8';

/** How a quantized weight is stored when saved (the tfjs manifest `quantization` entry). */
export type QuantizationRecord = { dtype: 'float16' } | ({ dtype: 'uint8' } & AffineParams);

const QUANTIZERS: Record<
  QuantizeDtype,
  (v: Float32Array) => { values: Float32Array; record: QuantizationRecord }
> = {
  float16: (v) => ({ values: roundToFloat16(v), record: { dtype: 'float16' } }),
  int8: (v) => {
    const { values, scale, min } = roundToAffine8(v);
    return { values, record: { dtype: 'uint8', scale, min } };
  },
};

const records = new WeakMap<tf.layers.Layer, Map<string, QuantizationRecord>>();

/** Options of `quantize` / `dequantize`. */
export interface QuantizeLayerOptions {
  /** Weights to quantize (default: the layer kind's float weights, e.g. kernel and bias). */
  weights?: readonly string[];
}

/**
 * Quantize a layer's weights in place: each value becomes the nearest value of the storage
 * type (`float16`: half precision; `int8`: the per-tensor 8-bit affine grid), i.e. exactly the
 * values a model saved with that quantization loads back as. The storage type is recorded
 * (`quantizationOf`) so saving can pick the manifest dtype. All values are computed before any
 * weight is written, so an error leaves the layer unchanged.
 *
 * @example
 * quantize(conv, 'float16');
 * quantizationOf(conv, 'kernel'); // { dtype: 'float16' }
 */
export function quantize(
  layer: tf.layers.Layer,
  dtype: QuantizeDtype,
  opts: QuantizeLayerOptions = {},
): void {
  if (!Object.prototype.hasOwnProperty.call(QUANTIZERS, dtype)) {
    throw new InvalidArgumentError(
      `quantize(${layer.name}): unknown dtype '${String(dtype)}'; accepted: ${Object.keys(QUANTIZERS).join(', ')}`,
    );
  }
  const names = targetWeights(layer, opts);
  const done = names.map((name) => {
    const w = readWeightData(layer, name);
    return { name, shape: w.shape, ...QUANTIZERS[dtype](w.data) };
  });
  let m = records.get(layer);
  if (!m) {
    m = new Map();
    records.set(layer, m);
  }
  for (const q of done) {
    const t = tf.tensor(q.values, q.shape);
    writeWeight(layer, q.name, t);
    t.dispose();
    m.set(q.name, q.record);
  }
}

/**
 * Undo `quantize`'s storage record: values stay as they are (Condensa's `delta` casts back to
 * float32, which is exact), but the weights are plain float32 again for training and saving.
 *
 * @example
 * dequantize(conv);
 * quantizationOf(conv, 'kernel'); // null
 */
export function dequantize(layer: tf.layers.Layer, opts: QuantizeLayerOptions = {}): void {
  const m = records.get(layer);
  const names = opts.weights ?? [...(m?.keys() ?? [])];
  for (const name of names) getWeightVariable(layer, name);
  for (const name of names) m?.delete(name);
}

/**
 * How `layer`'s weight `name` is stored when saved: `{ dtype: 'float16' }`, `{ dtype: 'uint8',
 * scale, min }` (the grid the values were rounded to), or null for plain float32.
 */
export function quantizationOf(layer: tf.layers.Layer, name: string): QuantizationRecord | null {
  return records.get(layer)?.get(name) ?? null;
}

function targetWeights(layer: tf.layers.Layer, opts: QuantizeLayerOptions): string[] {
  if (opts.weights) {
    for (const name of opts.weights) getWeightVariable(layer, name);
    return [...opts.weights];
  }
  return operatorLayerKind('quantize', layer).weights.filter((n) => hasWeight(layer, n));
}

/**
 * Copy the quantization records of `src` onto `dst`, matching layers by name (for clones made
 * by serialising a model, as `copyPruning` does for masks). Values are not touched: `dst` is
 * assumed to hold the same (already rounded) weights.
 *
 * @example
 * copyQuantization(model, clone);
 */
export function copyQuantization(src: tf.LayersModel, dst: tf.LayersModel): void {
  for (const layer of src.layers) {
    const m = records.get(layer);
    if (!m || m.size === 0) continue;
    const target = dst.getLayer(layer.name);
    records.set(target, new Map(m));
  }
}
