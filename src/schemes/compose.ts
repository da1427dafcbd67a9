import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { isReporting, mergeReports, throwIfUnsupported } from './report.js';
import type { ReportingScheme, SchemeReport, SkippedLayer } from './report.js';
import type { Scheme, WeightRef } from './scheme.js';

/** A scheme whose global density can be set (the pruning schemes). */
interface WithDensity {
  readonly density: number | undefined;
  withDensity(d: number): Scheme;
}

function hasDensity(s: Scheme): s is Scheme & WithDensity {
  return typeof (s as Partial<WithDensity>).withDensity === 'function';
}

/**
 * A sequence of schemes, as Condensa's `Compose`: `pi` applies each in order, `delta` undoes them
 * in reverse order. E.g. prune, then quantize the survivors to float16.
 *
 * @example
 * ```ts
 * const scheme = new Compose([new Prune({ density: 0.1 }), new Quantize({ dtype: 'float16' })]);
 * scheme.pi(model);
 * ```
 */
export class Compose implements ReportingScheme {
  readonly kind = 'Compose';
  readonly schemes: readonly Scheme[];
  private report: SchemeReport | undefined;

  constructor(schemes: Scheme[]) {
    if (!Array.isArray(schemes) || schemes.length === 0) {
      throw new InvalidArgumentError('Compose needs a non-empty array of schemes');
    }
    this.schemes = [...schemes];
  }

  /**
   * Applies each member in order. A strict member's unsupported layers are checked for every
   * member before the first changes anything, so a refusal leaves the model untouched.
   */
  pi(model: tf.LayersModel): void {
    throwIfUnsupported(this.kind, this.refusedLayers(model));
    const reports: SchemeReport[] = [];
    for (const s of this.schemes) {
      s.pi(model);
      if (isReporting(s) && s.lastReport) reports.push(s.lastReport);
      else
        reports.push({
          scheme: s.kind,
          compressed: [],
          skipped: [],
          warnings: [`${s.kind} does not report`],
        });
    }
    this.report = mergeReports(this.kind, reports);
  }

  /** What the members' last `pi` did, in order (undefined before the first). */
  get lastReport(): SchemeReport | undefined {
    return this.report;
  }

  /** The layers the strict members refuse to skip, in order. */
  refusedLayers(model: tf.LayersModel): SkippedLayer[] {
    return this.schemes.flatMap((s) => (isReporting(s) ? s.refusedLayers(model) : []));
  }

  /** The members' skipped layers, in order. */
  skippedLayers(model: tf.LayersModel): SkippedLayer[] {
    return this.schemes.flatMap((s) => (isReporting(s) ? s.skippedLayers(model) : []));
  }

  delta(model: tf.LayersModel): void {
    for (const s of [...this.schemes].reverse()) s.delta(model);
  }

  targets(model: tf.LayersModel): WeightRef[] {
    const seen = new Set<string>();
    const out: WeightRef[] = [];
    for (const s of this.schemes) {
      for (const t of s.targets(model)) {
        const key = `${t.layer.name}/${t.name}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push(t);
        }
      }
    }
    return out;
  }

  /** The density of the first member that has one. */
  get density(): number | undefined {
    for (const s of this.schemes) if (hasDensity(s) && s.density !== undefined) return s.density;
    return undefined;
  }

  /** A copy with every density-taking member set to global density `d`. */
  withDensity(d: number): Compose {
    if (!this.schemes.some(hasDensity)) {
      throw new InvalidArgumentError('Compose.withDensity: none of its schemes takes a density');
    }
    return new Compose(this.schemes.map((s) => (hasDensity(s) ? s.withDensity(d) : s)));
  }

  toJSON(): Record<string, unknown> {
    return { compose: this.schemes.map((s) => s.toJSON()) };
  }
}
