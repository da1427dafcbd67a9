import type * as tf from '@tensorflow/tfjs';
import { LayerError } from '../errors.js';

/**
 * Which layer classes each per-layer operator accepts, and how: registries keyed by class name
 * (`layer.getClassName()`), so supporting a new layer kind is one `registerOperatorLayerKind` call rather
 * than another branch in every operator.
 */

/** A weight whose structures are slices along `axes` (tfjs layout), plus the bias that follows them. */
export interface StructureLayerKind {
  /** The weight holding the structures. */
  weight: string;
  /** Structure axes of that weight, given its rank (row-major numbering over several axes). */
  axes: (rank: number) => number[];
  /** The bias with one entry per structure, zeroed with it when `pruneBias` is on. */
  bias?: string;
}

/** A weight an unstructured / block / quantize operator works on by default. */
export interface WeightLayerKind {
  weight: string;
}

const lastAxis = (rank: number): number[] => [rank - 1];

/** The operators whose layer kinds are registered here. */
export interface OperatorLayerKinds {
  prune: Record<string, WeightLayerKind>;
  filterPrune: Record<string, StructureLayerKind>;
  neuronPrune: Record<string, StructureLayerKind>;
  blockPrune: Record<string, WeightLayerKind>;
  quantize: Record<string, { weights: string[] }>;
}

export const OPERATOR_LAYER_KINDS: OperatorLayerKinds = {
  prune: {
    Dense: { weight: 'kernel' },
    Conv1D: { weight: 'kernel' },
    Conv2D: { weight: 'kernel' },
    Conv3D: { weight: 'kernel' },
    Conv2DTranspose: { weight: 'kernel' },
    DepthwiseConv2D: { weight: 'depthwise_kernel' },
    SeparableConv2D: { weight: 'pointwise_kernel' },
    Embedding: { weight: 'embeddings' },
    BatchNormalization: { weight: 'gamma' },
  },
  filterPrune: {
    // A filter is one output channel: the last kernel axis [kh, kw, in, out].
    Conv1D: { weight: 'kernel', axes: lastAxis, bias: 'bias' },
    Conv2D: { weight: 'kernel', axes: lastAxis, bias: 'bias' },
    Conv3D: { weight: 'kernel', axes: lastAxis, bias: 'bias' },
    // tfjs transposed-conv kernels are [kh, kw, out, in].
    Conv2DTranspose: { weight: 'kernel', axes: () => [2], bias: 'bias' },
    // Output channel c * mult + m of a depthwise conv is kernel slice [:, :, c, m].
    DepthwiseConv2D: { weight: 'depthwise_kernel', axes: () => [2, 3], bias: 'bias' },
    // The filters of a separable conv are those of its pointwise (1x1) stage.
    SeparableConv2D: { weight: 'pointwise_kernel', axes: lastAxis, bias: 'bias' },
  },
  neuronPrune: {
    // A neuron is one output unit: the last axis of an [in, out] kernel.
    Dense: { weight: 'kernel', axes: lastAxis, bias: 'bias' },
  },
  blockPrune: {
    Dense: { weight: 'kernel' },
    Conv1D: { weight: 'kernel' },
    Conv2D: { weight: 'kernel' },
    Conv3D: { weight: 'kernel' },
  },
  quantize: {
    Dense: { weights: ['kernel', 'bias'] },
    Conv1D: { weights: ['kernel', 'bias'] },
    Conv2D: { weights: ['kernel', 'bias'] },
    Conv3D: { weights: ['kernel', 'bias'] },
    Conv2DTranspose: { weights: ['kernel', 'bias'] },
    DepthwiseConv2D: { weights: ['depthwise_kernel', 'bias'] },
    SeparableConv2D: { weights: ['depthwise_kernel', 'pointwise_kernel', 'bias'] },
    Embedding: { weights: ['embeddings'] },
    BatchNormalization: { weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'] },
  },
};

/**
 * Register (or replace) how `operator` handles layers of class `className`, e.g. a custom layer.
 *
 * @example
 * registerOperatorLayerKind('neuronPrune', 'MyDense', { weight: 'kernel', axes: (r) => [r - 1], bias: 'bias' });
 */
export function registerOperatorLayerKind<K extends keyof OperatorLayerKinds>(
  operator: K,
  className: string,
  kind: OperatorLayerKinds[K][string],
): void {
  (OPERATOR_LAYER_KINDS[operator] as Record<string, unknown>)[className] = kind;
}

/** The registered kind of `layer` for `operator`, or a `LayerError` naming the supported kinds. */
export function operatorLayerKind<K extends keyof OperatorLayerKinds>(
  operator: K,
  layer: tf.layers.Layer,
): OperatorLayerKinds[K][string] {
  const registry = OPERATOR_LAYER_KINDS[operator] as Record<string, OperatorLayerKinds[K][string]>;
  const cls = layer.getClassName();
  const kind = Object.prototype.hasOwnProperty.call(registry, cls) ? registry[cls] : undefined;
  if (!kind) {
    throw new LayerError(
      `${operator}: layer '${layer.name}' is a ${cls}, which ${operator} does not support; supported kinds: ${Object.keys(registry).join(', ')}`,
    );
  }
  return kind;
}
