import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { type NamedAxes, layerClassesWith, layerKind } from '../core/layer-kinds/index.js';

/**
 * A structured-pruning axis: `'out'` (filters / neurons: PyTorch's dim=0), `'in'` (input
 * channels: PyTorch's dim=1), or a numeric axis of the tfjs weight (negative counts from the end).
 */
export type Dim = 'out' | 'in' | number;

/** The tfjs axes behind 'out'/'in', by layer class then weight name: a view over the layer-kind registry. */
export const NAMED_DIMS: Record<string, Record<string, (rank: number) => NamedAxes>> = new Proxy(
  {},
  {
    get: (_, cls) => (typeof cls === 'string' ? layerKind(cls)?.dims : undefined),
    has: (_, cls) => typeof cls === 'string' && layerKind(cls)?.dims !== undefined,
    ownKeys: () => layerClassesWith((k) => k.dims !== undefined),
    getOwnPropertyDescriptor: (_, cls) =>
      typeof cls === 'string' && layerKind(cls)?.dims
        ? { value: layerKind(cls)!.dims, enumerable: true, configurable: true }
        : undefined,
  },
);

/** Resolve `dim` to a non-negative axis of `layer`'s weight `name`, or throw naming what is accepted. */
export function resolveDim(layer: tf.layers.Layer, name: string, rank: number, dim: Dim): number {
  const what = `${layer.name}/${name}`;
  if (typeof dim === 'number') {
    if (!Number.isInteger(dim) || dim < -rank || dim >= rank) {
      throw new InvalidArgumentError(
        `${what}: dim ${dim} is out of range for a rank-${rank} weight; accepted: 'out', 'in' or ${-rank}..${rank - 1}`,
      );
    }
    return dim < 0 ? dim + rank : dim;
  }
  const cls = layer.getClassName();
  const named = NAMED_DIMS[cls]?.[name]?.(rank);
  const axis = named?.[dim];
  if (axis === undefined) {
    const known = named ? Object.keys(named).map((k) => `'${k}'`) : [];
    throw new InvalidArgumentError(
      `${what} (${cls}): dim '${String(dim)}' has no axis for this weight; accepted: ${[...known, `a numeric axis ${-rank}..${rank - 1}`].join(', ')}`,
    );
  }
  return axis;
}
