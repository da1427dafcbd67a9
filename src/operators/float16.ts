import { toFloat16Bits } from '../io/quantize.js';

/**
 * The value of IEEE 754 binary16 bits `h` (exact: every half is a float32). Written out rather
 * than table-driven because it runs once per weight at quantization time, not in a hot loop.
 */
export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Round float32 values to the nearest half-precision value (round half to even, subnormals
 * kept, overflow to +-Inf): exactly what saving with float16 quantization stores and
 * `tf.loadLayersModel` reads back. The encoder is the model saver's own (`src/io/quantize.ts`),
 * so quantized weights and saved weights can never disagree.
 *
 * @example
 * roundToFloat16(new Float32Array([0.1])); // [0.0999755859375]
 */
export function roundToFloat16(values: ArrayLike<number>): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16BitsToNumber(toFloat16Bits(values[i]));
  return out;
}
