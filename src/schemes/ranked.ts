import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, LayerError } from '../errors.js';
import { applyMask, readWeight, weightNames } from '../pruning/state.js';
import { assertFinite } from '../operators/values.js';
import { checkDensity, keepFlags, thresholdOf } from './math.js';
import type { Scheme, WeightRef } from './scheme.js';
import {
  layerDensity,
  matchesLayer,
  normalizeSelection,
  outputProducers,
  selectLayers,
  selectionToJSON,
} from './select.js';
import type { LayerSelection } from './select.js';

/** Options every pruning scheme takes. */
export interface PruneSchemeOptions extends LayerSelection {
  /** Fraction of entries (or structures) kept, in (0, 1]; one threshold shared by every eligible layer. */
  density?: number;
}

/** How one layer takes part in a global ranking. */
export interface RankedLayer {
  layer: tf.layers.Layer;
  /** One score per prunable unit (entry, filter, neuron or block). */
  scores: Float32Array;
  /** The masks (weight name -> 0/1 tensor the caller disposes) that keep exactly `keep`. */
  masks(keep: Uint8Array): Array<{ name: string; mask: tf.Tensor }>;
}

/**
 * The shared machinery of Condensa's pruning schemes: every eligible layer scores its units, one
 * threshold is taken over all scores (k-th largest, k = floor(density * total)), and each layer
 * keeps the units scoring at or above it. Layers with their own density in `densities` are ranked
 * alone. All masks are computed before any is applied, so a failure leaves the model unchanged.
 */
export abstract class RankedScheme<O extends PruneSchemeOptions> implements Scheme {
  abstract readonly kind: string;
  protected readonly options: O;

  constructor(options: O) {
    if (options.density !== undefined) checkDensity(options.density, new.target.name);
    this.options = { ...options, ...normalizeSelection(options, new.target.name) };
  }

  /** The global density (fraction kept), or undefined when not yet chosen. */
  get density(): number | undefined {
    return this.options.density;
  }

  /** Layer classes this scheme prunes. */
  protected abstract readonly layerClasses: readonly string[];
  /** Whether this scheme removes whole output units (and so protects the model's outputs). */
  protected abstract protectsOutputs(): boolean;
  /** Score `layer`'s units. */
  protected abstract rank(layer: tf.layers.Layer): RankedLayer;
  /** The weights of `layer` this scheme may change. */
  protected abstract weightsOf(layer: tf.layers.Layer): string[];
  /** A copy of this scheme with other options. */
  protected abstract with(options: O): this;
  /** Scheme-specific options for toJSON. */
  protected abstract optionsJSON(): Record<string, unknown>;

  /** A new scheme equal to this one with global density `d` (the search sets densities this way). */
  withDensity(d: number): this {
    checkDensity(d, `${this.kind}.withDensity`);
    return this.with({ ...this.options, density: d });
  }

  /** The layers this scheme compresses in `model`, in model order. */
  layers(model: tf.LayersModel): tf.layers.Layer[] {
    const skip = this.protectsOutputs() ? outputProducers(model) : new Set<tf.layers.Layer>();
    return selectLayers(model, this.options, this.layerClasses, skip);
  }

  targets(model: tf.LayersModel): WeightRef[] {
    return this.layers(model).flatMap((layer) => this.weightsOf(layer).map((name) => ({ layer, name })));
  }

  pi(model: tf.LayersModel): void {
    this.checkDensityNames(model);
    const layers = this.layers(model);
    if (layers.length === 0) return;
    const ranked = layers.map((l) => this.rank(l));
    const own = ranked.map((r) => layerDensity(r.layer, this.options));
    const shared = ranked.filter((_, i) => own[i] === undefined);
    let globalThr = Infinity;
    if (shared.length > 0) {
      if (this.options.density === undefined) {
        throw new InvalidArgumentError(
          `${this.kind} has no density: construct it with { density } in (0, 1] or call withDensity(d)`,
        );
      }
      const all = new Float32Array(shared.reduce((n, r) => n + r.scores.length, 0));
      let at = 0;
      for (const r of shared) {
        all.set(r.scores, at);
        at += r.scores.length;
      }
      globalThr = thresholdOf(
        all,
        this.options.density,
        `${this.kind} over ${shared.map((r) => r.layer.name).join(', ')}`,
      );
    }
    const pending: Array<{ layer: tf.layers.Layer; name: string; mask: tf.Tensor }> = [];
    try {
      ranked.forEach((r, i) => {
        const d = own[i];
        const thr =
          d === undefined ? globalThr : thresholdOf(r.scores, d, `${this.kind} on layer '${r.layer.name}'`);
        const keep = keepFlags(r.scores, thr, this.align());
        for (const m of r.masks(keep)) pending.push({ layer: r.layer, ...m });
      });
      for (const p of pending) applyMask(p.layer, p.name, p.mask);
    } finally {
      for (const p of pending) p.mask.dispose();
    }
  }

  /**
   * A per-layer density keyed by a plain name that names no layer of the model is a typo (or a
   * model mismatch): silently ignoring it would prune that layer at the global density instead.
   */
  private checkDensityNames(model: tf.LayersModel): void {
    for (const key of Object.keys(this.options.densities ?? {})) {
      const plain = /^[\w.-]+$/.test(key);
      if (plain && !model.layers.some((l) => matchesLayer(l, key))) {
        throw new LayerError(
          `${this.kind}: densities names layer '${key}', which the model does not have; its layers are: ` +
            model.layers.map((l) => l.name).join(', '),
        );
      }
    }
  }

  /** Pruning needs no decompression: the masked model is already a float32 model. */
  delta(_model: tf.LayersModel): void {}

  /** Survivor alignment (structured schemes only). */
  protected align(): number | undefined {
    return undefined;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { scheme: this.kind };
    if (this.options.density !== undefined) out.density = this.options.density;
    return { ...out, ...this.optionsJSON(), ...selectionToJSON(this.options) };
  }
}

/** The current value of `layer`'s weight `name` as host floats, checked finite. */
export function weightData(layer: tf.layers.Layer, name: string): { data: Float32Array; shape: number[] } {
  const t = readWeight(layer, name);
  try {
    const data = t.dataSync() as Float32Array;
    assertFinite(data, `${layer.name}/${name}`);
    return { data, shape: t.shape };
  } finally {
    t.dispose();
  }
}

/** Whether `layer` has a weight called `name`. */
export function hasWeight(layer: tf.layers.Layer, name: string): boolean {
  return weightNames(layer).includes(name);
}
