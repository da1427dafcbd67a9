import type * as tf from '@tensorflow/tfjs';
import { LayerError } from '../errors.js';
import type { Scheme } from './scheme.js';

/** Options of every scheme about what it tells and what it refuses. */
export interface ReportOptions {
  /**
   * Throw a `LayerError` naming them when layers the scheme is meant for are skipped because it
   * cannot handle their class (an LSTM kernel under `FilterPrune`), instead of only reporting them.
   * The check runs before any weight changes. Default false.
   */
  strict?: boolean;
  /**
   * Warn when the shared global threshold leaves a layer keeping less than this fraction of its
   * units (default 0.1; the floor is never above the scheme's own density; 0 turns it off).
   */
  warnBelow?: number;
}

/** A layer `pi` changed. */
export interface CompressedLayer {
  layer: string;
  className: string;
  /** Short names of the weights changed (`kernel`, `bias`). */
  weights: string[];
  /** What one unit is: `weight` (entry), `filter`, `neuron`, `block`, or the storage dtype for Quantize. */
  unit: string;
  /** Units before and after (pruning schemes). */
  total?: number;
  kept?: number;
  /** kept / total. */
  density?: number;
  /** Whether the layer had its own density (`densities`) rather than the shared threshold. */
  ownDensity?: boolean;
  /** Whether the guard kept more units than the threshold would have (so the layer is not emptied). */
  guarded?: boolean;
}

/** A layer the scheme is meant for (or was told to include) but left alone. */
export interface SkippedLayer {
  layer: string;
  className: string;
  /** `unsupported`: the scheme cannot handle the class; `output`: a protected model output. */
  cause: 'unsupported' | 'output';
  reason: string;
}

/**
 * What one `pi` did: the layers compressed with their densities, the layers skipped and why,
 * and warnings (a layer kept alive by the guard, a layer left below the floor).
 */
export interface SchemeReport {
  scheme: string;
  compressed: CompressedLayer[];
  skipped: SkippedLayer[];
  warnings: string[];
}

/** A scheme that records what its last `pi` did and can list its skipped layers beforehand. */
export interface ReportingScheme extends Scheme {
  readonly lastReport: SchemeReport | undefined;
  skippedLayers(model: tf.LayersModel): SkippedLayer[];
  /** The skipped layers that make this scheme throw (its unsupported ones when `strict`, else none). */
  refusedLayers(model: tf.LayersModel): SkippedLayer[];
}

/** Whether `scheme` reports (every built-in scheme does; a user's own `Scheme` may not). */
export function isReporting(scheme: Scheme): scheme is ReportingScheme {
  return typeof (scheme as Partial<ReportingScheme>).skippedLayers === 'function';
}

/** The skipped layers `strict` refuses: those the scheme cannot handle (not protected outputs). */
export function unsupported(skipped: SkippedLayer[]): SkippedLayer[] {
  return skipped.filter((s) => s.cause === 'unsupported');
}

/** Throws a `LayerError` naming every layer skipped because the scheme cannot handle it. */
export function throwIfUnsupported(kind: string, skipped: SkippedLayer[]): void {
  const bad = unsupported(skipped);
  if (bad.length === 0) return;
  throw new LayerError(
    `${kind} (strict): cannot compress ${bad.map((s) => `'${s.layer}' (${s.className})`).join(', ')}; ` +
      `exclude them (exclude: [...]), choose a scheme that handles them, or drop strict to let them pass uncompressed`,
  );
}

/**
 * The `strict` check on its own, for callers that compress later (the Compressor, the CLI's
 * `--strict`): throws a `LayerError` naming the layers `scheme` (or any member of a `Compose`)
 * is meant for but cannot handle in `model`. Changes nothing.
 *
 * @example
 * ```ts
 * refuseSkipped(new FilterPrune({ density: 0.5 }), lstmModel); // LayerError: ... 'lstm' (LSTM) ...
 * ```
 */
export function refuseSkipped(scheme: Scheme, model: tf.LayersModel): void {
  if (isReporting(scheme)) throwIfUnsupported(scheme.kind, scheme.skippedLayers(model));
}

/** One report out of the reports of a composition's members, in order. */
export function mergeReports(kind: string, reports: SchemeReport[]): SchemeReport {
  return {
    scheme: kind,
    compressed: reports.flatMap((r) => r.compressed),
    skipped: reports.flatMap((r) => r.skipped),
    warnings: reports.flatMap((r) => r.warnings),
  };
}

/**
 * Compress `model` in place with `scheme` and return what was done. With `strict`, layers the
 * scheme cannot handle are an error raised before any weight changes. A scheme that does not
 * report (a user's own `Scheme`) gets an empty report that says so in its warnings.
 *
 * @example
 * ```ts
 * const model = await loadPretrained('lenet5-mnist');
 * const report = compressWithReport(new FilterPrune({ density: 0.5 }), model);
 * report.compressed; // [{ layer: 'conv1', kept: 1, total: 6, guarded: true, ... }, ...]
 * report.warnings;   // ["FilterPrune: the global threshold would remove all 6 filters of 'conv1'..."]
 * ```
 */
export function compressWithReport(
  scheme: Scheme,
  model: tf.LayersModel,
  opts: { strict?: boolean } = {},
): SchemeReport {
  if (!isReporting(scheme)) {
    scheme.pi(model);
    return {
      scheme: scheme.kind,
      compressed: [],
      skipped: [],
      warnings: [`${scheme.kind} does not report what it did (it has no lastReport)`],
    };
  }
  if (opts.strict) refuseSkipped(scheme, model);
  scheme.pi(model);
  return scheme.lastReport ?? { scheme: scheme.kind, compressed: [], skipped: [], warnings: [] };
}
