import * as tf from '@tensorflow/tfjs';
import { LayerError } from '../../errors.js';
import { type ChannelLayout, singleSpace } from './channel-layout.js';
import type { ConstContext, ConstField, LayerConfig, PropagateContext, Shape } from './kind.js';

/** A field in which every entry depends on the input. */
export function allVarying(length: number): ConstField {
  return { values: new Float32Array(length), varying: new Uint8Array(length).fill(1) };
}

/** Last dimension of a symbolic shape (must be known). */
export function lastDim(shape: Shape, layerName: string): number {
  const d = shape[shape.length - 1];
  if (d === null || d === undefined) {
    throw new LayerError(`layer '${layerName}': the channel (last) dimension of its tensors must be known`);
  }
  return d;
}

/** Output layout of a layer that keeps its input's channels as they are (pooling, BN, ReLU...). */
export function passThrough(ctx: PropagateContext): ChannelLayout {
  return ctx.inputs[0];
}

/** Output layout of a layer that creates new channels (Conv2D filters, Dense units). */
export function freshChannels(ctx: PropagateContext): ChannelLayout {
  const size = lastDim(ctx.outputShape, ctx.layer.name);
  const space = ctx.spaces.create(size);
  if (activationName(ctx.config) === 'softmax') {
    ctx.spaces.pin(space, { reason: `softmax activation of '${ctx.layer.name}' normalises over channels` });
  }
  return singleSpace(space, size);
}

/** The fused activation of a layer's config ('linear' when none). */
export function activationName(config: LayerConfig): string {
  const a = config.activation;
  return typeof a === 'string' ? a : 'linear';
}

/** Apply a named activation to a small vector of numbers. */
export function activate(name: string, values: Float32Array): Float32Array {
  if (name === 'linear') return values;
  return tf.tidy(() => {
    const layer = tf.layers.activation({ activation: name as never });
    const out = layer.apply(tf.tensor2d(values, [1, values.length])) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

/**
 * Constant propagation for layers that act on each channel on its own (or on the same channel
 * of several inputs, for merges): run the layer on inputs in which each entry is filled with its
 * constant, and read off each output channel. A channel is constant on the output only when it
 * is constant on every input AND the output is the same at every spatial position: zero padding,
 * or a 'same' depthwise convolution, makes a nonzero constant vary near the borders.
 */
export function evaluatePerChannel(ctx: ConstContext): ConstField {
  return tf.tidy(() => {
    const xs = ctx.inputs.map((field, i) => constantTensor(field, ctx.inputShapes[i]));
    const y = ctx.layer.apply(xs.length === 1 ? xs[0] : xs, { training: false }) as tf.Tensor;
    const c = y.shape[y.shape.length - 1];
    const rows = y.reshape([-1, c]);
    const hi = rows.max(0).dataSync();
    const lo = rows.min(0).dataSync();
    const varying = new Uint8Array(c);
    const values = new Float32Array(c);
    for (let e = 0; e < c; e++) {
      const inputVaries = ctx.inputs.some((f) => f.varying[e] === 1);
      const spread = Math.abs(hi[e] - lo[e]);
      const uniform = spread <= 1e-6 * Math.max(1, Math.abs(hi[e]));
      varying[e] = inputVaries || !uniform ? 1 : 0;
      values[e] = varying[e] ? 0 : lo[e];
    }
    return { values, varying };
  });
}

/** A batch-of-one tensor of `shape` whose last-axis entry `e` is `field.values[e]` everywhere. */
function constantTensor(field: ConstField, shape: Shape): tf.Tensor {
  // Unknown spatial sizes get a small stand-in: the answer per channel does not depend on it.
  const dims = shape.map((d, i) => (i === 0 ? 1 : (d ?? 4)));
  const c = dims[dims.length - 1];
  const total = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(total);
  for (let i = 0; i < total; i++) {
    const e = i % c;
    data[i] = field.varying[e] ? 0 : field.values[e];
  }
  return tf.tensor(data, dims);
}

/** Product of the non-batch dims of a shape. */
export function elements(shape: number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Gather `indices` along `axis` (a no-op copy when every index is kept). */
export function take(t: tf.Tensor, indices: number[], axis: number): tf.Tensor {
  if (indices.length === t.shape[axis] && indices.every((v, i) => v === i)) return t.clone();
  return tf.gather(t, tf.tensor1d(indices, 'int32'), axis);
}

/** `[a, b]` from a config entry that may be a number or a pair. */
export function pair(v: unknown): [number, number] {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1] ?? v[0])];
  return [Number(v), Number(v)];
}

/** For each slice of `w` along `axis`: whether every entry of the slice is exactly zero. */
export function zeroSlices(w: tf.Tensor, axis: number): boolean[] {
  const nonzero = tf.tidy(() => channelRows(w, axis).abs().max(1).dataSync());
  return Array.from(nonzero, (v) => v === 0);
}

/**
 * Output constants of a layer that creates channels: a channel whose incoming weights are all
 * zero outputs activation(bias) whatever the input; every other channel varies.
 */
export function producerConstants(
  layer: tf.layers.Layer,
  config: LayerConfig,
  kernelName: string,
  outAxis: number,
): ConstField {
  const kernel = weightByName(layer, kernelName);
  const zero = zeroSlices(kernel, outAxis);
  const n = zero.length;
  const biasVar = layer.weights.find((w) => shortName(w) === 'bias');
  const bias = biasVar ? (biasVar.read().dataSync() as Float32Array) : new Float32Array(n);
  const acted = activate(activationName(config), Float32Array.from(bias));
  const field = allVarying(n);
  for (let o = 0; o < n; o++) {
    if (zero[o]) {
      field.varying[o] = 0;
      field.values[o] = acted[o];
    }
  }
  return field;
}

/** The current value of a layer weight by short name (not a copy: do not dispose). */
export function weightByName(layer: tf.layers.Layer, name: string): tf.Tensor {
  const v = layer.weights.find((w) => shortName(w) === name);
  if (!v) throw new LayerError(`layer '${layer.name}' (${layer.getClassName()}) has no weight '${name}'`);
  return v.read();
}

function shortName(v: tf.LayerVariable): string {
  const parts = v.originalName.split('/');
  return parts[parts.length - 1];
}

/**
 * Fold removed input entries that hold constants into a bias: `bias + v^T W`, where `W[r, o]`
 * is what one unit of input entry `r` adds to output `o` (`contributions`, rows = removed entries).
 */
export function foldedBias(
  bias: tf.Tensor | undefined,
  removed: number[],
  field: ConstField,
  contributions: tf.Tensor2D,
  units: number,
): tf.Tensor1D {
  const base = bias ? (bias as tf.Tensor1D) : tf.zeros([units]);
  if (removed.length === 0) return base.clone() as tf.Tensor1D;
  const v = tf.tensor2d(
    removed.map((r) => field.values[r]),
    [1, removed.length],
  );
  return base.add(tf.matMul(v, contributions).reshape([units])) as tf.Tensor1D;
}

/** Whether a fold adds anything (a layer without bias then needs one). */
export function foldIsNonzero(removed: number[], field: ConstField): boolean {
  return removed.some((r) => field.values[r] !== 0);
}

/**
 * Treat a layer as a black box: its inputs' channels may not be removed (trying to is an error
 * naming the layer), and its output is a new channel set that is never removed either.
 */
export function opaque(ctx: PropagateContext, why: string): ChannelLayout {
  const blockingLayer = { name: ctx.layer.name, className: ctx.layer.getClassName() };
  for (const input of ctx.inputs) {
    for (const seg of input.segments) ctx.spaces.pin(seg.space, { reason: why, blockingLayer });
  }
  // An output of unknown width (a sequence of unknown length) is an empty, pinned layout.
  const size = ctx.outputShape[ctx.outputShape.length - 1] ?? 0;
  const space = ctx.spaces.create(size);
  ctx.spaces.pin(space, { reason: `output of '${ctx.layer.name}' (${why})` });
  return singleSpace(space, size);
}

/**
 * `w` as a [C, rest] matrix whose row c is the slice c along `axis`. Reductions then run over the
 * LAST axis, which every backend handles directly (reductions over leading axes go through
 * special-cased kernels on wasm).
 */
export function channelRows(w: tf.Tensor, axis: number): tf.Tensor2D {
  const perm = [axis, ...w.shape.map((_, i) => i).filter((i) => i !== axis)];
  return w.transpose(perm).reshape([w.shape[axis], -1]) as tf.Tensor2D;
}

/** Sum of a kernel over its spatial (leading) axes: [k..., a, b] -> [a, b]. */
export function sumOverTaps(kernel: tf.Tensor): tf.Tensor2D {
  const shape = kernel.shape as number[];
  const [a, b] = shape.slice(-2);
  const taps = shape.slice(0, -2).reduce((x, y) => x * y, 1);
  return kernel
    .reshape([taps, a * b])
    .transpose()
    .sum(1)
    .reshape([a, b]) as tf.Tensor2D;
}

/** Product of a kernel's spatial (leading) sizes: kh*kw for a 2-D conv. */
export function kernelTaps(layer: tf.layers.Layer, name: string): number {
  return (weightByName(layer, name).shape as number[]).slice(0, -2).reduce((a, b) => a * b, 1);
}

/** Output constants of a layer whose channels are pinned: nothing is known to be constant. */
export function noConstants(ctx: ConstContext): ConstField {
  return allVarying(Number(ctx.outputShape[ctx.outputShape.length - 1]));
}
