import { classesWithFilters, classesWithNeurons } from './layer-structures.js';
import { StructuredScheme } from './structured.js';
import type { StructuredPruneOptions } from './structured.js';

/**
 * Condensa's structure pruning: filters of convolutions and neurons of Dense layers ranked
 * together with one threshold.
 *
 * Every layer keeps at least `max(1, align)` structures unless `allowEmptyLayers: true`;
 * `strict: true` refuses a model with conv or dense-like layers it cannot handle.
 *
 * @example
 * ```ts
 * const report = compressWithReport(new StructurePrune({ density: 0.5 }), seedNet({ width: 0.25 }));
 * report.compressed.filter((c) => c.guarded); // layers the guard kept alive
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
