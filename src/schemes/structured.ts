import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, LayerError } from '../errors.js';
import { convLayers, unitLayers } from './coverage.js';
import type { LayerFamily } from './coverage.js';
import { expandStructureMaskArray } from '../operators/expandMask.js';
import { scoreStructures } from '../operators/structureScores.js';
import { structureOf } from './layer-structures.js';
import { importanceNeeds, importanceScores, isKnownImportance } from '../importance/index.js';
import type { Calibration, ImportanceOptions, ImportanceOrCriteria } from '../importance/index.js';
import { CRITERIA } from './math.js';
import type { Criteria } from './math.js';
import { RankedScheme, hasWeight, weightData } from './ranked.js';
import type { PruneSchemeOptions, RankedLayer } from './ranked.js';

/** Options of the structured schemes ({@link FilterPrune}, {@link NeuronPrune}, {@link StructurePrune}). */
export interface StructuredPruneOptions extends PruneSchemeOptions {
  /**
   * How a structure's |w| is aggregated into its score (default `'l2'`): the magnitude criteria,
   * kept for compatibility; it means `importance: criteria`.
   */
  criteria?: Criteria;
  /**
   * How structures are scored (default `'l2'`): a registered importance ('l1', 'l2', 'lamp',
   * 'fpgm', 'bnScale', 'random', and with `calibration`: 'activation', 'apoz', 'taylor', 'tvs'),
   * a magnitude criteria name, or a function (see `importanceScores`).
   */
  importance?: ImportanceOrCriteria;
  /** Calibration examples (`{ xs, ys }`) for data-driven importance; not part of the JSON spec. */
  calibration?: Calibration;
  /** Options passed to the importance: `seed` ('random'), `batchSize`, `flopsLambda`, `bins`, `loss`. */
  importanceOptions?: Omit<ImportanceOptions, 'data'>;
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
 * out]` or dense `[in, out]` kernel), scored by `importance` (`importanceScores`, default 'l2' of
 * |w|), ranked across all eligible layers with one threshold.
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
    if (o.importance !== undefined && !isKnownImportance(o.importance)) {
      throw new InvalidArgumentError(
        `${what}: unknown importance '${String(o.importance)}'; pass a registered name, a magnitude criteria or a function`,
      );
    }
    if (o.importance !== undefined && o.criteria !== undefined && o.importance !== o.criteria) {
      throw new InvalidArgumentError(
        `${what}: give either criteria ('${o.criteria}') or importance, not both: criteria is the older name of importance`,
      );
    }
    if (o.align !== undefined && (!Number.isInteger(o.align) || o.align < 1)) {
      throw new InvalidArgumentError(`${what}: align must be a positive integer; got ${String(o.align)}`);
    }
    super(o);
  }

  get criteria(): Criteria {
    return this.options.criteria ?? 'l2';
  }

  /** How this scheme scores structures: `importance`, else `criteria`, else 'l2'. */
  get importance(): ImportanceOrCriteria {
    return this.options.importance ?? this.options.criteria ?? 'l2';
  }

  /**
   * A copy of this scheme scoring with calibration `data` (the Compressor gives its training
   * examples this way to schemes whose importance needs data).
   */
  withCalibration(data: Calibration, examples?: number): this {
    const importanceOptions = {
      ...(examples === undefined ? {} : { examples }),
      ...this.options.importanceOptions,
    };
    return this.with({ ...this.options, calibration: data, importanceOptions });
  }

  /** Whether the importance needs calibration data that this scheme was not given. */
  needsCalibration(): boolean {
    return this.options.calibration === undefined && importanceNeeds(this.importance) !== 'none';
  }

  // Scores of every eligible layer, computed once per `pi` so data-driven importance runs ONE
  // pass over the calibration data for all layers; `rank` reads them.
  private scores: Record<string, Float32Array> | undefined;

  override pi(model: tf.LayersModel): void {
    const layers = this.layers(model);
    if (layers.length === 0) return;
    // Recurrent units span several gate blocks of the kernel: the Importance API scores filters
    // and neurons, so gated layers are scored here by magnitude over all of a unit's gates.
    const gated = layers.filter((l) => structureOf(l).gates !== undefined);
    const plain = layers.filter((l) => !gated.includes(l));
    this.scores = nonNegative({
      ...(plain.length === 0
        ? {}
        : importanceScores(model, this.importance, {
            ...this.options.importanceOptions,
            data: this.options.calibration,
            layers: plain,
          })),
      ...Object.fromEntries(gated.map((l) => [l.name, this.unitScores(l)])),
    });
    try {
      super.pi(model);
    } finally {
      this.scores = undefined;
    }
  }

  /** Magnitude scores of a gated (recurrent) layer's units; other importances are refused. */
  private unitScores(layer: tf.layers.Layer): Float32Array {
    const importance = this.importance;
    if (typeof importance !== 'string' || !(CRITERIA as readonly string[]).includes(importance)) {
      throw new LayerError(
        `${this.kind}: importance '${typeof importance === 'string' ? importance : 'function'}' cannot score ` +
          `the recurrent units of layer '${layer.name}' (${layer.getClassName()}); use a magnitude ` +
          `criteria (${CRITERIA.join(', ')}) or exclude the layer`,
      );
    }
    const { weight, axes: axesOf, gates = 1 } = structureOf(layer);
    const { data, shape } = weightData(layer, weight);
    const view = gatedView(shape, gates);
    return scoreStructures(
      data,
      view,
      importance as Criteria,
      axesOf(view.length),
      `${layer.name}/${weight}`,
    );
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
    const { shape } = weightData(layer, weight);
    const scores = this.scores?.[layer.name];
    if (!scores) throw new InvalidArgumentError(`${this.kind}: layer '${layer.name}' was not scored`);
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
    // A user function has no JSON form: it is left out, as calibration tensors are.
    const importance = typeof this.options.importance === 'string' ? this.options.importance : undefined;
    const { loss: _loss, ...jsonOptions } = this.options.importanceOptions ?? {};
    const importanceOptions = Object.keys(jsonOptions).length > 0 ? jsonOptions : undefined;
    return Object.fromEntries(
      Object.entries({
        criteria,
        importance,
        importanceOptions,
        align,
        pruneBias,
        protectOutputs,
        allowEmptyLayers,
      }).filter(([, v]) => v !== undefined),
    );
  }
}

/**
 * The ranking threshold is taken on |score| (Condensa's magnitude threshold), but some importances
 * are signed (Taylor minus a FLOPs penalty, user functions): shifting every score by the same
 * amount so the least is 0 keeps every order, within and across layers.
 */
function nonNegative(scores: Record<string, Float32Array>): Record<string, Float32Array> {
  let least = 0;
  for (const s of Object.values(scores)) for (const v of s) least = Math.min(least, v);
  if (least === 0) return scores;
  return Object.fromEntries(
    Object.entries(scores).map(([k, s]) => [k, Float32Array.from(s, (v) => v - least)]),
  );
}

/** `shape` with its last axis split into `gates` blocks (row-major, so the data is unchanged). */
function gatedView(shape: number[], gates: number): number[] {
  if (gates === 1) return shape;
  const last = shape[shape.length - 1];
  return [...shape.slice(0, -1), gates, last / gates];
}
