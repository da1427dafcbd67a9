import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { writeWeight } from '../pruning/state.js';
import { hasWeight, weightData } from './ranked.js';
import { markQuantized, quantizedDtype, roundTo } from './quantization.js';
import type { QuantDtype } from './quantization.js';
import type { Scheme, WeightRef } from './scheme.js';
import { normalizeSelection, selectLayers, selectionToJSON } from './select.js';
import type { LayerSelection } from './select.js';

/** Options of {@link Quantize}. */
export interface QuantizeSchemeOptions extends LayerSelection {
  /** Storage type: `'float16'` (Condensa's only form) or `'int8'` (8-bit affine, per tensor). */
  dtype?: QuantDtype;
  /** Layer classes quantized (default Conv2D and Dense). */
  layerTypes?: string[];
}

const DTYPES: readonly QuantDtype[] = ['float16', 'int8'];

/**
 * Weight quantization: `pi` rounds every eligible kernel and bias to the nearest value of the
 * storage type (and marks it so saving and `sparsityReport` use that type); `delta` turns the
 * weights back into plain float32 (the rounded values stay, as Condensa's cast back does).
 *
 * @example
 * ```ts
 * const q = new Quantize({ dtype: 'float16' });
 * q.pi(model);    // weights now hold half-precision values
 * q.delta(model); // float32 again, for training
 * ```
 */
export class Quantize implements Scheme {
  readonly kind = 'Quantize';
  private readonly options: QuantizeSchemeOptions;

  constructor(options: QuantizeSchemeOptions = {}) {
    if (options.dtype !== undefined && !DTYPES.includes(options.dtype)) {
      throw new InvalidArgumentError(
        `Quantize: unknown dtype '${String(options.dtype)}'; accepted: ${DTYPES.join(', ')}`,
      );
    }
    this.options = { ...options, ...normalizeSelection(options, 'Quantize') };
  }

  get dtype(): QuantDtype {
    return this.options.dtype ?? 'float16';
  }

  targets(model: tf.LayersModel): WeightRef[] {
    const layers = selectLayers(model, this.options, this.options.layerTypes ?? ['Conv2D', 'Dense']);
    return layers.flatMap((layer) =>
      ['kernel', 'bias'].filter((n) => hasWeight(layer, n)).map((name) => ({ layer, name })),
    );
  }

  pi(model: tf.LayersModel): void {
    // Round everything first so a bad weight (NaN/Inf) leaves the model unchanged.
    const rounded = this.targets(model).map((ref) => {
      const { data, shape } = weightData(ref.layer, ref.name);
      return { ref, values: roundTo(data, this.dtype), shape };
    });
    for (const { ref, values, shape } of rounded) {
      tf.tidy(() => writeWeight(ref.layer, ref.name, tf.tensor(values, shape)));
      markQuantized(ref, this.dtype);
    }
  }

  delta(model: tf.LayersModel): void {
    for (const ref of this.targets(model)) {
      if (quantizedDtype(ref.layer, ref.name) !== null) markQuantized(ref, null);
    }
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { scheme: this.kind, dtype: this.dtype };
    if (this.options.layerTypes) out.layerTypes = [...this.options.layerTypes];
    return { ...out, ...selectionToJSON(this.options) };
  }
}
