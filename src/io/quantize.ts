import type * as tf from '@tensorflow/tfjs';

/** Weight encodings saveModel can write, as in the tfjs weights-manifest `quantization` field. */
export type WeightQuantization = 'float16' | 'uint8';

/** One encoded weight: its manifest entry and bytes. */
export interface EncodedWeight {
  spec: tf.io.WeightsManifestEntry;
  bytes: Uint8Array;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a number, rounding to nearest even (what tfjs decodes exactly). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow -> Inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit 1 in and round.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // carry may roll into the exponent: correct
  return sign | half;
}

/** Encode float32 values as binary16. */
export function encodeFloat16(values: Float32Array): Uint8Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
  return new Uint8Array(out.buffer);
}

/**
 * Affine uint8 encoding per tensor: value ~ q * scale + min. The range is widened to contain 0
 * and `min` is nudged onto the grid so that 0 decodes to exactly 0: pruned weights stay pruned.
 *
 * `grid` is the grid the values were already rounded to (an int8 `quantize` record): when every
 * value lies on it, it is reused, so the saved weights decode to exactly the in-memory ones.
 * Re-deriving it from the float32 values would move the end points by float32 rounding, and
 * with them some entries by a few ulps.
 */
export function encodeUint8(
  values: Float32Array,
  grid?: { scale: number; min: number },
): { bytes: Uint8Array; scale: number; min: number } {
  if (grid && onGrid(values, grid)) return { bytes: gridBytes(values, grid.scale, grid.min), ...grid };
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zeroPoint = Math.round(-lo / scale);
  const min = -zeroPoint * scale;
  return { bytes: gridBytes(values, scale, min), scale, min };
}

function gridBytes(values: Float32Array, scale: number, min: number): Uint8Array {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    bytes[i] = Math.min(255, Math.max(0, Math.round((values[i] - min) / scale)));
  }
  return bytes;
}

/** Whether every value is the float32 of some q * scale + min, q in 0..255. */
function onGrid(values: Float32Array, { scale, min }: { scale: number; min: number }): boolean {
  if (!(scale > 0) || !Number.isFinite(min)) return false;
  const f32 = new Float32Array(1);
  for (const v of values) {
    const q = Math.round((v - min) / scale);
    if (q < 0 || q > 255) return false;
    f32[0] = q * scale + min;
    if (f32[0] !== v) return false;
  }
  return true;
}

/** Encode one float32 weight with the given quantization; other dtypes pass through unchanged. */
export function encodeWeight(
  spec: tf.io.WeightsManifestEntry,
  raw: Uint8Array,
  quantization: WeightQuantization | undefined,
  grid?: { scale: number; min: number },
): EncodedWeight {
  if (spec.dtype !== 'float32') return { spec, bytes: raw };
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  // A masked weight is w * 0, which is -0 for negative w: store it as +0 (equal in value) so a
  // pruned tensor is runs of identical zero bytes. Mixed ±0 halves what gzip and the sparse
  // encoding can drop.
  for (let i = 0; i < values.length; i++) if (values[i] === 0) values[i] = 0;
  if (!quantization) return { spec, bytes: new Uint8Array(values.buffer) };
  if (quantization === 'float16') {
    return { spec: { ...spec, quantization: { dtype: 'float16' } }, bytes: encodeFloat16(values) };
  }
  const { bytes, scale, min } = encodeUint8(values, grid);
  return { spec: { ...spec, quantization: { dtype: 'uint8', scale, min } }, bytes };
}

const ELEMENT_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes per element of a manifest entry as stored (after quantization). */
export function elementBytes(spec: tf.io.WeightsManifestEntry): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = ELEMENT_BYTES[dtype];
  if (bytes === undefined) throw new Error(`weight '${spec.name}': unsupported dtype '${dtype}'`);
  return bytes;
}

/** Bytes one manifest entry occupies in the weights file. */
export function entryByteLength(spec: tf.io.WeightsManifestEntry): number {
  return spec.shape.reduce((a, b) => a * b, 1) * elementBytes(spec);
}
