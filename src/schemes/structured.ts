import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { convLayers, unitLayers } from './coverage.js';
import type { LayerFamily } from './coverage.js';
import { expandStructureMaskArray } from '../operators/expandMask.js';
import { scoreStructures } from '../operators/structureScores.js';
import { structureOf } from './layer-structures.js';
import { CRITERIA } from './math.js';
import type { Criteria } from './math.js';
import { RankedScheme, hasWeight, weightData } from './ranked.js';
import type { PruneSchemeOptions, RankedLayer } from './ranked.js';

/** Options of the structured schemes ({@link FilterPrune}, {@link NeuronPrune}, {@link StructurePrune}). */
export interface StructuredPruneOptions extends PruneSchemeOptions {
  /** How a structure's |w| is aggregated into its score (default `'l2'`). */
  criteria?: Criteria;
  /** Round each layer's number of surviving structures down to a multiple of this. */
  align?: number;
  /** Zero the bias of a removed filter/neuron (default true). */
  pruneBias?: boolean;
  /**
   * Leave the layers that produce a model output alone (default true): removing a class logit
   * changes what the model predicts. `false` gives Condensa's behaviour.
   */
  protectOutputs?: boolean;
  /**
   * Let the global threshold remove every structure of a layer, as Condensa does literally
   * (default false). By default each layer keeps at least `max(1, align)` structures, its best
   * ones, and the report says so: one threshold over layers whose structures differ in size
   * (conv1's filters have 25 weights, later ones hundreds) otherwise empties the small layer and
   * disconnects the network.
   */
  allowEmptyLayers?: boolean;
}

/**
 * Base of the structured schemes: a structure is one output filter or neuron, a slice of the
 * weight and along the axes the layer-kind registry names (the last axis of a conv `[kh, kw, in,
 * out]` or dense `[in, out]` kernel), scored by `criteria` over its |w|, ranked across all
 * eligible layers with one threshold.
 */
export abstract class StructuredScheme extends RankedScheme<StructuredPruneOptions> {
  constructor(options: number | StructuredPruneOptions, what: string) {
    const o = typeof options === 'number' ? { density: options } : options;
    if (o.criteria !== undefined && !CRITERIA.includes(o.criteria)) {
      throw new InvalidArgumentError(
        `${what}: unknown criteria '${String(o.criteria)}'; accepted: ${CRITERIA.join(', ')}`,
      );
    }
    if (o.allowEmptyLayers !== undefined && typeof o.allowEmptyLayers !== 'boolean') {
      throw new InvalidArgumentError(`${what}: allowEmptyLayers must be true or false`);
    }
    if (o.align !== undefined && (!Number.isInteger(o.align) || o.align < 1)) {
      throw new InvalidArgumentError(`${what}: align must be a positive integer; got ${String(o.align)}`);
    }
    super(o);
  }

  get criteria(): Criteria {
    return this.options.criteria ?? 'l2';
  }

  protected protectsOutputs(): boolean {
    return this.options.protectOutputs ?? true;
  }

  protected override align(): number | undefined {
    return this.options.align;
  }

  protected override guardsEmptyLayers(): boolean {
    return !(this.options.allowEmptyLayers ?? false);
  }

  /** Filters for the conv family, neurons for the rest. */
  protected override unit(layer: tf.layers.Layer): string {
    return convLayers(layer) ? 'filter' : 'neuron';
  }

  /** The layer family named by the classes this scheme handles: convolutions, units or both. */
  protected override family(): LayerFamily {
    const conv = this.layerClasses.some((c) => /Conv/.test(c));
    const units = this.layerClasses.some((c) => !/Conv/.test(c));
    return (layer) => (conv && convLayers(layer)) || (units && unitLayers(layer));
  }

  private pruneBias(layer: tf.layers.Layer): boolean {
    return (this.options.pruneBias ?? true) && hasWeight(layer, 'bias');
  }

  protected weightsOf(layer: tf.layers.Layer): string[] {
    const { weight, also = [] } = structureOf(layer);
    const together = [weight, ...also.filter((n) => hasWeight(layer, n))];
    return this.pruneBias(layer) ? [...together, 'bias'] : together;
  }

  protected rank(layer: tf.layers.Layer): RankedLayer {
    const { weight, axes: axesOf, gates = 1, also = [] } = structureOf(layer);
    const { data, shape } = weightData(layer, weight);
    const view = gatedView(shape, gates);
    const axes = axesOf(view.length);
    const scores = scoreStructures(data, view, this.criteria, axes, `${layer.name}/${weight}`);
    const withBias = this.pruneBias(layer);
    const masked = [weight, ...also.filter((n) => hasWeight(layer, n))];
    return {
      layer,
      scores,
      masks: (keep) => {
        const flags = Float32Array.from(keep);
        const out = masked.map((name) => {
          const full = name === weight ? shape : weightData(layer, name).shape;
          const v = gatedView(full, gates);
          return { name, mask: tf.tensor(expandStructureMaskArray(flags, v, axesOf(v.length)), full) };
        });
        // A gated bias is [gates * units]: structure u owns entry u of every gate block.
        const biasFlags = Float32Array.from(
          { length: flags.length * gates },
          (_, i) => flags[i % flags.length],
        );
        if (withBias) out.push({ name: 'bias', mask: tf.tensor1d(biasFlags) });
        return out;
      },
    };
  }

  protected optionsJSON(): Record<string, unknown> {
    const { criteria, align, pruneBias, protectOutputs, allowEmptyLayers } = this.options;
    return Object.fromEntries(
      Object.entries({ criteria, align, pruneBias, protectOutputs, allowEmptyLayers }).filter(
        ([, v]) => v !== undefined,
      ),
    );
  }
}

/** `shape` with its last axis split into `gates` blocks (row-major, so the data is unchanged). */
function gatedView(shape: number[], gates: number): number[] {
  if (gates === 1) return shape;
  const last = shape[shape.length - 1];
  return [...shape.slice(0, -1), gates, last / gates];
}
