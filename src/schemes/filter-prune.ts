import { classesWithFilters } from './layer-structures.js';
import { StructuredScheme } from './structured.js';
import type { StructuredPruneOptions } from './structured.js';

/**
 * Condensa's filter pruning: whole filters (output channels) of every layer kind that has them
 * (Conv1D/2D/3D, transposed, depthwise and separable convolutions) with the lowest aggregated
 * score across the network are zeroed, with their biases.
 *
 * Unlike Condensa, a layer whose filters all fall under the global threshold keeps its best
 * `max(1, align)` filters (`allowEmptyLayers: true` restores the literal behaviour); `lastReport`
 * says which layers were compressed, kept alive or skipped.
 *
 * @example
 * ```ts
 * const model = await loadPretrained('lenet5-mnist');
 * const scheme = new FilterPrune({ density: 0.5, criteria: 'l2' });
 * scheme.pi(model);
 * scheme.lastReport?.compressed.map((c) => `${c.layer} ${c.kept}/${c.total}`); // ['conv1 1/6', 'conv2 11/16']
 * scheme.lastReport?.warnings; // conv1 would have lost all 6 filters: it keeps its best one
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
