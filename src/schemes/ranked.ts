import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, LayerError } from '../errors.js';
import { applyMask, readWeight, weightNames } from '../pruning/state.js';
import { assertFinite } from '../operators/values.js';
import { kernelLayers, skippedLayers } from './coverage.js';
import type { LayerFamily } from './coverage.js';
import {
  DEFAULT_WARN_BELOW,
  checkWarnBelow,
  floorWarning,
  guardWarning,
  guardedKeep,
} from '../operators/guards.js';
import { checkDensity, thresholdOf } from './math.js';
import { throwIfUnsupported, unsupported } from './report.js';
import type {
  CompressedLayer,
  ReportOptions,
  ReportingScheme,
  SchemeReport,
  SkippedLayer,
} from './report.js';
import type { WeightRef } from './scheme.js';
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
export interface PruneSchemeOptions extends LayerSelection, ReportOptions {
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
 *
 * Every `pi` records what it did in `lastReport`: the layers compressed with their densities,
 * the layers skipped and why, and warnings. Structured schemes never empty a layer unless told
 * to (see {@link StructuredPruneOptions.allowEmptyLayers}).
 */
export abstract class RankedScheme<O extends PruneSchemeOptions> implements ReportingScheme {
  abstract readonly kind: string;
  protected readonly options: O;
  private report: SchemeReport | undefined;

  constructor(options: O) {
    if (options.density !== undefined) checkDensity(options.density, new.target.name);
    checkWarnBelow(options.warnBelow, new.target.name);
    this.options = { ...options, ...normalizeSelection(options, new.target.name) };
  }

  /** The global density (fraction kept), or undefined when not yet chosen. */
  get density(): number | undefined {
    return this.options.density;
  }

  /** What the last `pi` did (undefined before the first). */
  get lastReport(): SchemeReport | undefined {
    return this.report;
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

  /** The layers this scheme is meant for but leaves alone (an unsupported class, a protected output). */
  skippedLayers(model: tf.LayersModel): SkippedLayer[] {
    const outputs = this.protectsOutputs() ? outputProducers(model) : new Set<tf.layers.Layer>();
    return skippedLayers(model, this.options, this.family(), this.layers(model), outputs, {
      kind: this.kind,
      classes: this.layerClasses,
    });
  }

  refusedLayers(model: tf.LayersModel): SkippedLayer[] {
    return this.options.strict ? unsupported(this.skippedLayers(model)) : [];
  }

  targets(model: tf.LayersModel): WeightRef[] {
    return this.layers(model).flatMap((layer) => this.weightsOf(layer).map((name) => ({ layer, name })));
  }

  pi(model: tf.LayersModel): void {
    this.checkDensityNames(model);
    const skipped = this.skippedLayers(model);
    if (this.options.strict) throwIfUnsupported(this.kind, skipped);
    const report: SchemeReport = { scheme: this.kind, compressed: [], skipped, warnings: [] };
    const layers = this.layers(model);
    if (layers.length > 0) this.prune(layers, report);
    this.report = report;
  }

  /** Rank, threshold, guard and mask `layers`, recording each in `report`. */
  private prune(layers: tf.layers.Layer[], report: SchemeReport): void {
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
    const floor = Math.min(this.options.warnBelow ?? DEFAULT_WARN_BELOW, this.options.density ?? 1);
    const pending: Array<{ layer: tf.layers.Layer; name: string; mask: tf.Tensor }> = [];
    const entries: CompressedLayer[] = [];
    try {
      ranked.forEach((r, i) => {
        const d = own[i];
        const thr =
          d === undefined ? globalThr : thresholdOf(r.scores, d, `${this.kind} on layer '${r.layer.name}'`);
        const { keep, guarded } = guardedKeep(r.scores, thr, this.align(), !this.guardsEmptyLayers());
        const kept = keep.reduce((n, k) => n + k, 0);
        const total = r.scores.length;
        const unit = this.unit(r.layer);
        const name = r.layer.name;
        entries.push({
          layer: name,
          className: r.layer.getClassName(),
          weights: this.weightsOf(r.layer),
          unit,
          total,
          kept,
          density: total > 0 ? kept / total : 1,
          ownDensity: d !== undefined,
          guarded,
        });
        if (guarded) report.warnings.push(guardWarning(this.kind, name, unit, total, kept));
        else if (d === undefined) {
          const w = floorWarning(this.kind, name, unit, { total, kept }, floor);
          if (w) report.warnings.push(w);
        }
        for (const m of r.masks(keep)) pending.push({ layer: r.layer, ...m });
      });
      for (const p of pending) applyMask(p.layer, p.name, p.mask);
    } finally {
      for (const p of pending) p.mask.dispose();
    }
    report.compressed = entries;
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

  /**
   * Whether a layer must keep at least `max(1, align)` units (structured schemes, unless
   * `allowEmptyLayers`). Unstructured `Prune` follows Condensa literally and only warns.
   */
  protected guardsEmptyLayers(): boolean {
    return false;
  }

  /** The layers this scheme is meant for: reported as skipped when it cannot handle them. */
  protected family(): LayerFamily {
    return kernelLayers;
  }

  /** What one ranked unit of `layer` is called in reports. */
  protected unit(_layer: tf.layers.Layer): string {
    return 'unit';
  }

  /** Survivor alignment (structured schemes only). */
  protected align(): number | undefined {
    return undefined;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { scheme: this.kind };
    if (this.options.density !== undefined) out.density = this.options.density;
    if (this.options.strict !== undefined) out.strict = this.options.strict;
    if (this.options.warnBelow !== undefined) out.warnBelow = this.options.warnBelow;
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
