import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { lampScores } from '../operators/lampScores.js';
import { classLayers, kernelLayers } from './coverage.js';
import type { LayerFamily } from './coverage.js';
import { classesWithKernels, kernelsOf } from './layer-structures.js';
import { RankedScheme, weightData } from './ranked.js';
import type { PruneSchemeOptions, RankedLayer } from './ranked.js';

/** The rankings `Prune` accepts (also the JSON spec's `score` values). */
export const PRUNE_SCORES = ['magnitude', 'lamp'] as const;

/** Options of {@link Prune}. */
export interface PruneOptions extends PruneSchemeOptions {
  /**
   * Layer classes whose kernels are pruned (default: every layer kind with kernels: convolutions,
   * Dense, depthwise and pointwise kernels, recurrent kernels, embedding tables).
   */
  layerTypes?: string[];
  /**
   * What the global threshold ranks: `'magnitude'` (default, Condensa's |w|) or `'lamp'`
   * (`lampScores`: magnitude relative to the layer's larger weights, so the threshold adapts each
   * layer's sparsity and never empties a layer). Within a layer both keep the largest |w|.
   */
  score?: (typeof PRUNE_SCORES)[number];
}

/**
 * Condensa's unstructured magnitude pruning: the magnitudes of every kernel of every eligible
 * layer (each kind's kernels in the layer-kind registry: a separable conv's depthwise and pointwise
 * kernels, an LSTM's kernel and recurrent kernel...) are ranked together, one threshold keeps the
 * `density` fraction with the largest |w| (ties at the threshold kept), and each kernel is masked
 * with it. Biases are not pruned.
 *
 * @example
 * ```ts
 * const model = seedNet({ width: 0.25 });
 * new Prune({ density: 0.1 }).pi(model); // 90% of all conv/dense kernel entries are now zero
 * new Prune({ density: 0.1, score: 'lamp' }).pi(model); // the same count, layer-adaptive split
 * const scheme = new Prune({ density: 0.1, warnBelow: 0.05 });
 * scheme.pi(model);
 * scheme.lastReport?.warnings; // layers the global threshold left under 5% of their weights
 * ```
 */
export class Prune extends RankedScheme<PruneOptions> {
  readonly kind = 'Prune';

  /** `new Prune(0.1)` or `new Prune({ density: 0.1, exclude: ['fc3'] })`. */
  constructor(options: number | PruneOptions = {}) {
    super(typeof options === 'number' ? { density: options } : options);
    const score = this.options.score;
    if (score !== undefined && !(PRUNE_SCORES as readonly string[]).includes(score)) {
      throw new InvalidArgumentError(
        `Prune: score '${String(score)}' is not one of ${PRUNE_SCORES.join(', ')}`,
      );
    }
  }

  protected get layerClasses(): readonly string[] {
    return this.options.layerTypes ?? classesWithKernels();
  }

  protected protectsOutputs(): boolean {
    return false;
  }

  protected weightsOf(layer: tf.layers.Layer): string[] {
    return kernelsOf(layer);
  }

  protected override unit(): string {
    return 'weight';
  }

  /** Every layer with a kernel-like weight, unless `layerTypes` names the classes meant. */
  protected override family(): LayerFamily {
    return this.options.layerTypes ? classLayers(this.options.layerTypes) : kernelLayers;
  }

  /** The scores of all of the layer's kernels one after the other; the masks split them back. */
  protected rank(layer: tf.layers.Layer): RankedLayer {
    const kernels = kernelsOf(layer).map((name) => ({ name, ...weightData(layer, name) }));
    const parts = kernels.map(({ data }) =>
      this.options.score === 'lamp' ? lampScores(data) : Float32Array.from(data, Math.abs),
    );
    const scores = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      scores.set(p, at);
      at += p.length;
    }
    return {
      layer,
      scores,
      masks: (keep) => {
        let from = 0;
        return kernels.map(({ name, shape, data }) => {
          const mask = tf.tensor(Float32Array.from(keep.subarray(from, from + data.length)), shape);
          from += data.length;
          return { name, mask };
        });
      },
    };
  }

  protected with(options: PruneOptions): this {
    return new Prune(options) as this;
  }

  protected optionsJSON(): Record<string, unknown> {
    return {
      ...(this.options.layerTypes ? { layerTypes: [...this.options.layerTypes] } : {}),
      ...(this.options.score ? { score: this.options.score } : {}),
    };
  }
}
