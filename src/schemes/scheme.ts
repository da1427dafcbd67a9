import type * as tf from '@tensorflow/tfjs';
import type { SchemeReport } from './report.js';

/** A weight of a layer, by its short name (`kernel`, `bias`, `gamma`, `depthwise_kernel`, ...). */
export interface WeightRef {
  layer: tf.layers.Layer;
  name: string;
}

/**
 * A compression scheme, as in Condensa: a small value with `pi` (compress the model in place)
 * and `delta` (decompress in place, e.g. float16 back to float32; identity for pruning).
 * Composition is a list of schemes (`Compose`).
 */
export interface Scheme {
  /** Registry name, e.g. `'Prune'`; used by JSON specs and logs. */
  readonly kind: string;
  /** Compress `model` in place. */
  pi(model: tf.LayersModel): void;
  /** Decompress `model` in place. */
  delta(model: tf.LayersModel): void;
  /** The weights `pi` changes (the L-C optimizer penalises exactly these). */
  targets(model: tf.LayersModel): WeightRef[];
  /** A JSON-serialisable description that `schemeFromSpec` turns back into this scheme. */
  toJSON(): Record<string, unknown>;
  /**
   * What the last `pi` did: layers compressed (with densities), layers skipped and why, warnings.
   * Every built-in scheme has it; `compressWithReport` returns it.
   */
  readonly lastReport?: SchemeReport;
}
