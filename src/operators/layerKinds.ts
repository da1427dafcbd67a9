import type * as tf from '@tensorflow/tfjs';
import { LayerError } from '../errors.js';
import {
  type LayerKind,
  type StructureAxes,
  layerClassesWith,
  layerKind,
  registerLayerKind,
} from '../core/layer-kinds/index.js';
import { noConstants, opaque } from '../core/layer-kinds/common.js';

/**
 * Which layer classes each per-layer operator accepts, and how: a view over the one layer-kind
 * registry (src/core/layer-kinds), so supporting a new layer kind is one `registerLayerKind` call.
 */

/** A weight whose structures are slices along `axes` (tfjs layout), plus the bias that follows them. */
export type StructureLayerKind = StructureAxes;

/** A weight an unstructured / block / quantize operator works on by default. */
export interface WeightLayerKind {
  weight: string;
}

/** The operators whose layer kinds are registered here. */
export interface OperatorLayerKinds {
  prune: Record<string, WeightLayerKind>;
  filterPrune: Record<string, StructureLayerKind>;
  neuronPrune: Record<string, StructureLayerKind>;
  blockPrune: Record<string, WeightLayerKind>;
  quantize: Record<string, { weights: string[] }>;
}

type Operator = keyof OperatorLayerKinds;

/** What a registry entry says for one operator (undefined: the operator does not take the kind). */
function entryFor<K extends Operator>(
  operator: K,
  kind: LayerKind,
): OperatorLayerKinds[K][string] | undefined {
  const prune = kind.pruneDefault ?? kind.kernels?.[0];
  const views: { [O in Operator]: OperatorLayerKinds[O][string] | undefined } = {
    prune: prune ? { weight: prune } : undefined,
    filterPrune: kind.filters,
    // The per-layer operator slices one weight along plain axes; gated (recurrent) units are the
    // NeuronPrune scheme's.
    neuronPrune: kind.neurons?.gates ? undefined : kind.neurons,
    blockPrune: kind.blockPrunable?.length ? { weight: kind.blockPrunable[0] } : undefined,
    quantize: kind.quantizable?.length ? { weights: kind.quantizable } : undefined,
  };
  return views[operator];
}

function view<K extends Operator>(operator: K): OperatorLayerKinds[K] {
  const out: Record<string, OperatorLayerKinds[K][string]> = {};
  for (const cls of layerClassesWith((k) => entryFor(operator, k) !== undefined)) {
    out[cls] = entryFor(operator, layerKind(cls)!)!;
  }
  return out as OperatorLayerKinds[K];
}

/** Per operator, the layer classes it takes: computed from the registry on each read. */
export const OPERATOR_LAYER_KINDS: OperatorLayerKinds = {
  get prune() {
    return view('prune');
  },
  get filterPrune() {
    return view('filterPrune');
  },
  get neuronPrune() {
    return view('neuronPrune');
  },
  get blockPrune() {
    return view('blockPrune');
  },
  get quantize() {
    return view('quantize');
  },
};

/**
 * Make `operator` handle layers of class `className` (e.g. a custom layer): updates that class's
 * registry entry (a class the registry does not know gets one whose channels are pinned).
 *
 * @example
 * registerOperatorLayerKind('neuronPrune', 'MyDense', { weight: 'kernel', axes: (r) => [r - 1], bias: 'bias' });
 */
export function registerOperatorLayerKind<K extends Operator>(
  operator: K,
  className: string,
  kind: OperatorLayerKinds[K][string],
): void {
  const base: LayerKind = layerKind(className) ?? {
    className,
    summary: 'custom layer: channels pinned',
    propagate: (ctx) => opaque(ctx, `${className} has no channel rules`),
    constants: noConstants,
    flops: () => 0,
  };
  const k = kind as never;
  const patch: Record<Operator, Partial<LayerKind>> = {
    prune: { pruneDefault: (k as WeightLayerKind).weight },
    filterPrune: { filters: k },
    neuronPrune: { neurons: k },
    blockPrune: { blockPrunable: [(k as WeightLayerKind).weight] },
    quantize: { quantizable: (k as { weights: string[] }).weights },
  };
  registerLayerKind({ ...base, ...patch[operator] }, { replace: true });
}

/** The registered kind of `layer` for `operator`, or a `LayerError` naming the supported kinds. */
export function operatorLayerKind<K extends Operator>(
  operator: K,
  layer: tf.layers.Layer,
): OperatorLayerKinds[K][string] {
  const cls = layer.getClassName();
  const registered = layerKind(cls);
  const kind = registered ? entryFor(operator, registered) : undefined;
  if (!kind) {
    throw new LayerError(
      `${operator}: layer '${layer.name}' is a ${cls}, which ${operator} does not support; supported kinds: ${Object.keys(view(operator)).join(', ')}`,
    );
  }
  return kind;
}
