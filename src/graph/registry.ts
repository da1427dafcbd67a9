import type * as tf from '@tensorflow/tfjs';
import type { ChannelLayout, ChannelSpaces } from './layout.js';

/** A symbolic shape: batch first, `null` where unknown. */
export type Shape = Array<number | null>;

/**
 * What a tensor holds along its last axis when some channels are constant. `varying[e]` is 1
 * where entry `e` depends on the model input; elsewhere the entry equals `values[e]` at every
 * spatial position and for every input.
 */
export interface ConstField {
  values: Float32Array;
  varying: Uint8Array;
}

/** Layer configuration as returned by `layer.getConfig()` (camelCase keys). */
export type LayerConfig = Record<string, unknown>;

export interface PropagateContext {
  layer: tf.layers.Layer;
  config: LayerConfig;
  inputs: ChannelLayout[];
  inputShapes: Shape[];
  outputShape: Shape;
  spaces: ChannelSpaces;
}

export interface ConstContext {
  layer: tf.layers.Layer;
  config: LayerConfig;
  inputs: ConstField[];
  inputShapes: Shape[];
  outputShape: Shape;
}

export interface SliceContext {
  layer: tf.layers.Layer;
  /** The layer's config in the new model; a kind edits it (`filters`, `units`, `useBias`). */
  config: LayerConfig;
  /** Effective (masked) weight values by short name; owned by the caller. */
  weights: Map<string, tf.Tensor>;
  /** Per input: last-axis entries that survive. */
  keptIn: number[][];
  /** Per input: last-axis entries that are removed (each holds a constant, see `inputConsts`). */
  removedIn: number[][];
  inputConsts: ConstField[];
  /** Last-axis entries of the output that survive. */
  keptOut: number[];
}

export interface FlopsContext {
  layer: tf.layers.Layer;
  config: LayerConfig;
  inputShapes: number[][];
  outputShape: number[];
}

/**
 * How one layer class takes part in compaction. Adding support for a layer class is one call
 * to `registerLayerKind` with one of these.
 */
export interface LayerKind {
  className: string;
  /** One line for docs and error messages: how channels flow through the layer. */
  summary: string;
  /** Channel layout of the output from the inputs' layouts; may create, tie or pin spaces. */
  propagate(ctx: PropagateContext): ChannelLayout;
  /** Which output entries are constant, given which input entries are. */
  constants(ctx: ConstContext): ConstField;
  /**
   * Layers that sum over their input channels (Conv2D, Dense, SeparableConv2D): whether a removed
   * input channel holding `value` can be folded exactly into the bias. Absent: the layer never
   * sees removed channels except through its own output space.
   */
  canFold?(config: LayerConfig, value: number): boolean;
  /**
   * New weights (short name -> tensor) for the compacted layer. Called inside `tf.tidy`: the
   * returned tensors are kept, everything else is freed.
   */
  slice?(ctx: SliceContext): Record<string, tf.Tensor>;
  /** Weights that carry a channel of the layer's output, and on which axis: masked by group pruning. */
  channelWeights?: Array<{ name: string; axis: number }>;
  /** For layers that create channels: the weight whose slices score a channel, and the slice axis. */
  importanceWeight?: { name: string; axis: number };
  /** Floating-point operations for one example (see `countFlops` for the conventions). */
  flops(ctx: FlopsContext): number;
}

const kinds = new Map<string, LayerKind>();

/**
 * Register (or replace) how a layer class is handled by the dependency graph and compaction.
 *
 * @example
 * ```ts
 * // A custom elementwise layer that keeps channels as they are:
 * registerLayerKind({
 *   className: 'Swish',
 *   summary: 'keeps channels (elementwise)',
 *   propagate: passThrough,
 *   constants: evaluatePerChannel, // runs the layer on constant inputs
 *   flops: () => 0,
 * });
 * ```
 */
export function registerLayerKind(kind: LayerKind): void {
  kinds.set(kind.className, kind);
}

/** The registry entry for a layer class, or undefined when the class is not supported. */
export function layerKind(className: string): LayerKind | undefined {
  return kinds.get(className);
}

/** Layer classes the dependency graph supports, sorted. */
export function supportedLayerKinds(): string[] {
  return [...kinds.keys()].sort();
}
