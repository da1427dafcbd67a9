import { classesWithNeurons } from './layer-structures.js';
import { StructuredScheme } from './structured.js';
import type { StructuredPruneOptions } from './structured.js';

/**
 * Condensa's neuron pruning: whole Dense output units with the lowest aggregated score across
 * the network are zeroed, with their biases. The logits layer is protected by default. LSTM, GRU
 * and SimpleRNN units count too: a unit is scored on its kernel columns in every gate and zeroed
 * there, in the recurrent kernel and in the bias, so `compact` can remove it.
 *
 * Every layer keeps at least `max(1, align)` neurons unless `allowEmptyLayers: true`; the logits
 * layer appears in `lastReport.skipped` as a protected output.
 *
 * @example
 * ```ts
 * const scheme = new NeuronPrune({ density: 0.3 });
 * scheme.pi(lenet5());
 * scheme.lastReport?.skipped; // [{ layer: 'fc3', cause: 'output', ... }]
 * ```
 */
export class NeuronPrune extends StructuredScheme {
  readonly kind = 'NeuronPrune';
  protected get layerClasses(): readonly string[] {
    return classesWithNeurons();
  }
  constructor(options: number | StructuredPruneOptions = {}) {
    super(options, 'NeuronPrune');
  }
  protected with(o: StructuredPruneOptions): this {
    return new NeuronPrune(o) as this;
  }
}
