import { classesWithFilters } from './layer-structures.js';
import { StructuredScheme } from './structured.js';
import type { StructuredPruneOptions } from './structured.js';

/**
 * Condensa's filter pruning: whole filters (output channels) of every layer kind that has them
 * (Conv1D/2D/3D, transposed, depthwise and separable convolutions) with the lowest aggregated
 * score across the network are zeroed, with their biases.
 *
 * @example
 * ```ts
 * const model = seedNet({ width: 0.25 });
 * new FilterPrune({ density: 0.5, criteria: 'l1' }).pi(model);
 * ```
 */
export class FilterPrune extends StructuredScheme {
  readonly kind = 'FilterPrune';
  protected get layerClasses(): readonly string[] {
    return classesWithFilters();
  }
  constructor(options: number | StructuredPruneOptions = {}) {
    super(options, 'FilterPrune');
  }
  protected with(o: StructuredPruneOptions): this {
    return new FilterPrune(o) as this;
  }
}
