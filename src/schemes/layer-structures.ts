import type * as tf from '@tensorflow/tfjs';
import {
  type LayerKind,
  type StructureAxes,
  layerClassesWith,
  layerKind,
} from '../core/layer-kinds/index.js';
import { LayerError } from '../errors.js';
import { getWeightVariable, weightKey } from '../pruning/state.js';
import { hasWeight } from './ranked.js';

/**
 * What the schemes read from the layer-kind registry: which classes they target by default and
 * which weights (and structure axes) of a layer they work on. No scheme lists layer classes itself.
 */

/** Layer classes with output filters (every convolution, depthwise and separable included). */
export const classesWithFilters = (): string[] => layerClassesWith((k) => k.filters !== undefined);

/** Layer classes with output neurons (Dense). */
export const classesWithNeurons = (): string[] => layerClassesWith((k) => k.neurons !== undefined);

/**
 * Layer classes with kernels that unstructured pruning ranks (recurrent and embedding tables
 * included, and wrappers, whose kernels are their wrapped layers').
 */
export const classesWithKernels = (): string[] =>
  layerClassesWith((k) => (k.kernels?.length ?? 0) > 0 || k.wrapped !== undefined);

function kindOf(layer: tf.layers.Layer): LayerKind | undefined {
  return layerKind(layer.getClassName());
}

/** The output structures (filters, else neurons) of `layer`, or a LayerError naming the layer. */
export function structureOf(layer: tf.layers.Layer): StructureAxes {
  const kind = kindOf(layer);
  const s = kind?.filters ?? kind?.neurons;
  if (!s) {
    throw new LayerError(
      `layer '${layer.name}' (${layer.getClassName()}) has no filters or neurons in the layer-kind registry; ` +
        `exclude it or register its kind with registerLayerKind`,
    );
  }
  return s;
}

/**
 * The weights of a wrapper's wrapped layers that `pick` chooses, under the wrapper's own weight
 * names (the wrapped layers share their variables with the wrapper); undefined for other layers.
 */
function wrappedWeights(
  layer: tf.layers.Layer,
  pick: (inner: tf.layers.Layer) => string[],
): string[] | undefined {
  const inner = kindOf(layer)?.wrapped?.(layer);
  if (!inner) return undefined;
  return inner.flatMap((l) => pick(l).map((name) => weightKey(layer, getWeightVariable(l, name))));
}

/** The kernels of `layer` that unstructured pruning ranks (`kernel` for a class the registry lacks). */
export function kernelsOf(layer: tf.layers.Layer): string[] {
  return (
    wrappedWeights(layer, kernelsOf) ??
    (kindOf(layer)?.kernels ?? ['kernel']).filter((n) => hasWeight(layer, n))
  );
}

/** The weights of `layer` quantization stores narrower (`kernel`, `bias` for a class the registry lacks). */
export function quantizableOf(layer: tf.layers.Layer): string[] {
  return (
    wrappedWeights(layer, quantizableOf) ??
    (kindOf(layer)?.quantizable ?? ['kernel', 'bias']).filter((n) => hasWeight(layer, n))
  );
}
