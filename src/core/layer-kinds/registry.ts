import { InvalidArgumentError } from '../../errors.js';
import type { LayerKind } from './kind.js';

const kinds = new Map<string, LayerKind>();

export interface RegisterLayerKindOptions {
  /** Replace an entry already registered for the class (default false: registering twice throws). */
  replace?: boolean;
}

/**
 * Register how a layer class is pruned, quantized, compacted and counted. A class may be registered
 * once; pass `{ replace: true }` to change a built-in entry on purpose.
 *
 * @example
 * ```ts
 * // A custom elementwise layer that keeps channels as they are:
 * registerLayerKind({
 *   className: 'Swish',
 *   summary: 'keeps channels (elementwise)',
 *   propagate: passThrough,
 *   constants: evaluatePerChannel, // runs the layer on constant inputs
 *   flops: ({ outputShape }) => outputShape.slice(1).reduce((a, b) => a * b, 1),
 * });
 * ```
 */
export function registerLayerKind(kind: LayerKind, opts: RegisterLayerKindOptions = {}): void {
  if (kinds.has(kind.className) && !opts.replace) {
    throw new InvalidArgumentError(
      `layer kind '${kind.className}' is already registered; pass { replace: true } to replace it`,
    );
  }
  kinds.set(kind.className, kind);
}

/** The registry entry for a layer class, or undefined when the class is not registered. */
export function layerKind(className: string): LayerKind | undefined {
  return kinds.get(className);
}

/** Registered layer classes, sorted. */
export function supportedLayerKinds(): string[] {
  return [...kinds.keys()].sort();
}

/**
 * Registered classes whose entry satisfies `has` (e.g. every kind with filters), sorted.
 *
 * @example
 * ```ts
 * layerClassesWith((k) => k.filters !== undefined); // ['Conv1D', 'Conv2D', ..., 'SeparableConv2D']
 * ```
 */
export function layerClassesWith(has: (kind: LayerKind) => boolean): string[] {
  return [...kinds.values()]
    .filter(has)
    .map((k) => k.className)
    .sort();
}
