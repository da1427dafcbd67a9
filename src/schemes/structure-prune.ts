import { classesWithFilters, classesWithNeurons } from './layer-structures.js';
import { StructuredScheme } from './structured.js';
import type { StructuredPruneOptions } from './structured.js';

/**
 * Condensa's structure pruning: filters of convolutions and neurons of Dense layers ranked
 * together with one threshold.
 *
 * @example
 * ```ts
 * new StructurePrune({ density: 0.5 }).pi(seedNet({ width: 0.25 }));
 * ```
 */
export class StructurePrune extends StructuredScheme {
  readonly kind = 'StructurePrune';
  protected get layerClasses(): readonly string[] {
    return [...classesWithFilters(), ...classesWithNeurons()];
  }
  constructor(options: number | StructuredPruneOptions = {}) {
    super(options, 'StructurePrune');
  }
  protected with(o: StructuredPruneOptions): this {
    return new StructurePrune(o) as this;
  }
}
