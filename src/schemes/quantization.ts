import * as tf from '@tensorflow/tfjs';
import type { WeightRef } from './scheme.js';

/**
 * Which weights hold quantized values, and in which storage type. tfjs variables are float32,
 * so a quantized weight holds the float32 values its saved form decodes to; this record says
 * how it is saved (float16, or uint8 affine with the manifest's scale/min).
 *
 * TODO(D1): replace with src/operators quantize/dequantize once they land.
 */
export type QuantDtype = 'float16' | 'int8';

const quantized = new WeakMap<tf.layers.Layer, Map<string, QuantDtype>>();

/** The storage type of a quantized weight, or null when it is plain float32. */
export function quantizedDtype(layer: tf.layers.Layer, name: string): QuantDtype | null {
  return quantized.get(layer)?.get(name) ?? null;
}

export function markQuantized(ref: WeightRef, dtype: QuantDtype | null): void {
  let m = quantized.get(ref.layer);
  if (!m) {
    m = new Map();
    quantized.set(ref.layer, m);
  }
  if (dtype === null) m.delete(ref.name);
  else m.set(ref.name, dtype);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> IEEE half bits, round to nearest even (overflow to Inf, subnormals kept). */
export function toHalfBits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}

/** IEEE half bits -> number. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Affine uint8 parameters for `data` with zero exactly representable (as tfjs-converter nudges). */
export function affineParams(data: Float32Array): { scale: number; min: number } {
  let lo = 0;
  let hi = 0;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zero = Math.round(-lo / scale);
  return { scale, min: -zero * scale };
}

/** The uint8 codes of `data` under `affineParams(data)`. */
export function toUint8(data: Float32Array, p: { scale: number; min: number }): Uint8Array {
  return Uint8Array.from(data, (v) => Math.min(255, Math.max(0, Math.round((v - p.min) / p.scale))));
}

/** Round `data` to what its `dtype` storage decodes to. */
export function roundTo(data: Float32Array, dtype: QuantDtype): Float32Array {
  if (dtype === 'float16') return Float32Array.from(data, (v) => fromHalfBits(toHalfBits(v)));
  const p = affineParams(data);
  return Float32Array.from(toUint8(data, p), (q) => q * p.scale + p.min);
}
