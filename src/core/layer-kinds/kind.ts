import type * as tf from '@tensorflow/tfjs';
import type { ChannelLayout, ChannelSpaces } from './channel-layout.js';

/**
 * One entry of the layer-kind registry: everything condensa knows about one tfjs layer class
 * (which weights are prunable and along which axes, which quantize, how channels flow through it,
 * how to slice it, its FLOPs). Operators, schemes, the dependency graph, compaction and FLOPs
 * counting all read these entries; nothing else lists layer classes.
 */

/** The slices along `axes` of `weight` (tfjs layout) are the structures; `bias` has one entry per structure. */
export interface StructureAxes {
  weight: string;
  /** Structure axes of that weight, given its rank (row-major numbering over several axes). */
  axes: (rank: number) => number[];
  bias?: string;
  /**
   * Recurrent layers: the structure axis (the last) holds `gates` blocks side by side, structure
   * `u` being entry `u` of every block. Axes and masks then see the weight as `[..., gates, units]`.
   */
  gates?: number;
  /** Further weights laid out like `weight` (a recurrent kernel) masked with the same structures. */
  also?: string[];
}

/** The tfjs axis of a weight that indexes output structures ('out') and input channels ('in'). */
export interface NamedAxes {
  out?: number;
  in?: number;
}

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
 * Everything condensa knows about one layer class: its weights' roles (what prunes, along which
 * axes, what quantizes) and how it takes part in compaction and FLOPs counting. Adding support
 * for a layer class is one call to `registerLayerKind` with one of these.
 */
export interface LayerKind {
  className: string;
  /**
   * Weights unstructured pruning (`Prune`, the `prune` operator) ranks by default: the kernels
   * (every kernel of the layer, e.g. depthwise and pointwise, or kernel and recurrent kernel).
   */
  kernels?: string[];
  /** The weight the `prune` operator takes when none is named (default: the first of `kernels`). */
  pruneDefault?: string;
  /** Output structures of a layer with filters (convolutions): what `FilterPrune` removes. */
  filters?: StructureAxes;
  /** Output structures of a layer with neurons (Dense): what `NeuronPrune` removes. */
  neurons?: StructureAxes;
  /** Per weight: the axes of its output structures ('out') and input channels ('in'), given its rank. */
  dims?: Record<string, (rank: number) => NamedAxes>;
  /** Weights quantization stores in a narrower type by default. */
  quantizable?: string[];
  /** Weights block pruning works on (viewed as `[inputs, units]` matrices). */
  blockPrunable?: string[];
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
  /**
   * Wrappers (TimeDistributed, Bidirectional): the layers whose weights this layer holds. Their
   * own kinds say which of those weights prune and quantize; the wrapper lists them under its
   * own weight names (`forward_lstm/kernel` where short names clash).
   */
  wrapped?(layer: tf.layers.Layer): tf.layers.Layer[];
}
