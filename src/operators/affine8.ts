import { encodeUint8 } from '../io/quantize.js';

/** Per-tensor 8-bit affine parameters as in the tfjs weights manifest: value = q * scale + min. */
export interface AffineParams {
  scale: number;
  min: number;
}

/**
 * Round float32 values to the 8-bit affine grid the model saver writes (uint8 with the
 * manifest's `scale`/`min`, the tfjs-converter format; 0 lies on the grid, so pruned entries
 * stay exactly 0). The result is decoded as `tf.loadLayersModel` decodes it: q * scale + min in
 * float64, stored as float32.
 *
 * @example
 * const { values, scale, min } = roundToAffine8(new Float32Array([-1, 0, 0.5, 1]));
 */
export function roundToAffine8(values: Float32Array): AffineParams & { values: Float32Array } {
  const { bytes, scale, min } = encodeUint8(values);
  const out = new Float32Array(values.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] * scale + min;
  return { values: out, scale, min };
}
