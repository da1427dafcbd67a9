/**
 * The arithmetic of folding an inference-mode batch norm into a neighbouring linear layer. Values
 * are plain arrays computed in float64 and rounded once, so a folded model matches the original
 * to float32 rounding.
 */

/** A weight's values, row-major, and its shape. */
export interface WeightValues {
  values: Float32Array;
  shape: number[];
}

/** Batch norm in inference mode as a per-channel affine map y = scale * x + shift. */
export interface ChannelAffine {
  scale: Float64Array;
  shift: Float64Array;
}

/**
 * The affine map of a BatchNormalization layer from its weights: scale = gamma / sqrt(var + eps),
 * shift = beta - mean * scale (gamma is 1 and beta 0 when the layer has `scale` / `center` off).
 */
export function batchNormAffine(weights: Map<string, WeightValues>, epsilon: number): ChannelAffine {
  const mean = weights.get('moving_mean')!.values;
  const variance = weights.get('moving_variance')!.values;
  const gamma = weights.get('gamma')?.values;
  const beta = weights.get('beta')?.values;
  const n = mean.length;
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  return { scale, shift };
}

/**
 * Fold `bn` applied AFTER a Conv2D / DepthwiseConv2D / Dense: every kernel layout of those keeps
 * the output channel as the fastest-varying index ([kh, kw, in, out], [kh, kw, in, multiplier]
 * flattened to in * multiplier + m, [in, out]), so output channel = flat index mod channels.
 */
export function foldAfter(
  kernel: WeightValues,
  bias: WeightValues | undefined,
  bn: ChannelAffine,
): { kernel: WeightValues; bias: WeightValues } {
  const channels = bn.scale.length;
  const k = new Float32Array(kernel.values.length);
  for (let i = 0; i < k.length; i++) k[i] = kernel.values[i] * bn.scale[i % channels];
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) b[c] = (bias ? bias.values[c] : 0) * bn.scale[c] + bn.shift[c];
  return { kernel: { values: k, shape: kernel.shape }, bias: { values: b, shape: [channels] } };
}

/**
 * Fold `bn` applied BEFORE a 'valid'-padded Conv2D ([kh, kw, in, out]) or a Dense ([in, out]):
 * the kernel's input rows are scaled and the shifts, pushed through the kernel, join the bias.
 * `channelOfRow` maps a kernel input row to its BN channel (through a Flatten of [h, w, c] it is
 * row mod c). Exact only where every tap reads a real input value: hence no 'same' padding.
 */
export function foldBefore(
  kernel: WeightValues,
  bias: WeightValues | undefined,
  bn: ChannelAffine,
  channelOfRow: (row: number) => number,
): { kernel: WeightValues; bias: WeightValues } {
  const out = kernel.shape[kernel.shape.length - 1];
  const rows = kernel.values.length / out;
  const k = new Float32Array(kernel.values.length);
  const b = new Float64Array(out);
  if (bias) for (let o = 0; o < out; o++) b[o] = bias.values[o];
  for (let r = 0; r < rows; r++) {
    const c = channelOfRow(r % inputRowsPerTap(kernel));
    const s = bn.scale[c];
    const t = bn.shift[c];
    for (let o = 0; o < out; o++) {
      const w = kernel.values[r * out + o];
      k[r * out + o] = w * s;
      b[o] += w * t;
    }
  }
  return { kernel: { values: k, shape: kernel.shape }, bias: { values: Float32Array.from(b), shape: [out] } };
}

/** Rows of one spatial tap: the conv kernel's `in` dimension, or all rows of a Dense kernel. */
function inputRowsPerTap(kernel: WeightValues): number {
  return kernel.shape.length === 4 ? kernel.shape[2] : kernel.shape[0];
}
