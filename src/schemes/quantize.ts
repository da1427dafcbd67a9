import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { dequantize, quantizationOf, quantize } from '../operators/index.js';
import type { QuantizeDtype as QuantDtype } from '../operators/index.js';
import { classLayers, kernelLayers, skippedLayers } from './coverage.js';
import { throwIfUnsupported, unsupported } from './report.js';
import type { ReportOptions, ReportingScheme, SchemeReport, SkippedLayer } from './report.js';
import { classesWithKernels, quantizableOf } from './layer-structures.js';
import { weightData } from './ranked.js';
import type { WeightRef } from './scheme.js';
import { normalizeSelection, selectLayers, selectionToJSON } from './select.js';
import type { LayerSelection } from './select.js';

/** Options of {@link Quantize}. */
export interface QuantizeSchemeOptions extends LayerSelection, Pick<ReportOptions, 'strict'> {
  /** Storage type: `'float16'` (Condensa's only form) or `'int8'` (8-bit affine, per tensor). */
  dtype?: QuantDtype;
  /**
   * Layer classes quantized (default: every layer kind with kernels; each kind's quantizable
   * weights, e.g. kernel and bias, or a separable conv's two kernels and bias).
   */
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
export class Quantize implements ReportingScheme {
  readonly kind = 'Quantize';
  private readonly options: QuantizeSchemeOptions;
  private report: SchemeReport | undefined;

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

  /** What the last `pi` did (undefined before the first). */
  get lastReport(): SchemeReport | undefined {
    return this.report;
  }

  private get classes(): string[] {
    return this.options.layerTypes ?? classesWithKernels();
  }

  /** Layers with a kernel (or of the `layerTypes` given) that this scheme leaves alone. */
  skippedLayers(model: tf.LayersModel): SkippedLayer[] {
    const family = this.options.layerTypes ? classLayers(this.options.layerTypes) : kernelLayers;
    const layers = selectLayers(model, this.options, this.classes);
    return skippedLayers(model, this.options, family, layers, new Set(), {
      kind: this.kind,
      classes: this.classes,
    });
  }

  refusedLayers(model: tf.LayersModel): SkippedLayer[] {
    return this.options.strict ? unsupported(this.skippedLayers(model)) : [];
  }

  targets(model: tf.LayersModel): WeightRef[] {
    const layers = selectLayers(model, this.options, this.options.layerTypes ?? classesWithKernels());
    return layers.flatMap((layer) => quantizableOf(layer).map((name) => ({ layer, name })));
  }

  pi(model: tf.LayersModel): void {
    const skipped = this.skippedLayers(model);
    if (this.options.strict) throwIfUnsupported(this.kind, skipped);
    // Check every weight first so a bad one (NaN/Inf) leaves the whole model unchanged.
    const targets = this.targets(model);
    for (const ref of targets) weightData(ref.layer, ref.name);
    const report: SchemeReport = { scheme: this.kind, compressed: [], skipped, warnings: [] };
    for (const [layer, weights] of byLayer(targets)) {
      quantize(layer, this.dtype, { weights });
      report.compressed.push({
        layer: layer.name,
        className: layer.getClassName(),
        weights,
        unit: this.dtype,
      });
    }
    this.report = report;
  }

  delta(model: tf.LayersModel): void {
    const quantized = this.targets(model).filter((ref) => quantizationOf(ref.layer, ref.name) !== null);
    for (const [layer, weights] of byLayer(quantized)) dequantize(layer, { weights });
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { scheme: this.kind, dtype: this.dtype };
    if (this.options.layerTypes) out.layerTypes = [...this.options.layerTypes];
    if (this.options.strict !== undefined) out.strict = this.options.strict;
    return { ...out, ...selectionToJSON(this.options) };
  }
}

function byLayer(refs: WeightRef[]): Map<tf.layers.Layer, string[]> {
  const m = new Map<tf.layers.Layer, string[]>();
  for (const r of refs) m.set(r.layer, [...(m.get(r.layer) ?? []), r.name]);
  return m;
}
