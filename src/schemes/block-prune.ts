import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { CRITERIA, blockScores2d } from './math.js';
import type { Criteria } from './math.js';
import { classLayers, unitLayers } from './coverage.js';
import type { LayerFamily } from './coverage.js';

import { classesWithNeurons } from './layer-structures.js';
import { RankedScheme, weightData } from './ranked.js';
import type { PruneSchemeOptions, RankedLayer } from './ranked.js';

/** Options of {@link BlockPrune}. */
export interface BlockPruneSchemeOptions extends PruneSchemeOptions {
  /**
   * Block shape `[rows, cols]` over the kernel viewed as a matrix `[inputs, units]` (a Dense kernel
   * as is; a Conv2D kernel `[kh, kw, in, out]` as `[kh * kw * in, out]`).
   */
  blockSize: [number, number];
  /** How a block's |w| is aggregated into its score (default `'l2'`). */
  criteria?: Criteria;
  /** Zero-pad the kernel to a multiple of the block shape instead of requiring it to divide. */
  pad?: boolean;
  /** Layer classes pruned (default: layers with neurons, i.e. Dense; add Conv2D to block-prune convolutions). */
  layerTypes?: string[];
  /**
   * Let the global threshold remove every block of a kernel, as Condensa does literally (default
   * false: each layer keeps at least its best block, and the report says so).
   */
  allowEmptyLayers?: boolean;
}

/**
 * Condensa's block pruning: each eligible kernel is cut into `blockSize` blocks, each block is
 * scored by `criteria`, one threshold over all blocks of the network keeps the `density` fraction,
 * and whole blocks are zeroed.
 *
 * A kernel whose blocks all fall under the threshold keeps its best block unless
 * `allowEmptyLayers: true`.
 *
 * @example
 * ```ts
 * const scheme = new BlockPrune({ density: 0.5, blockSize: [4, 4] });
 * scheme.pi(lenet5());
 * scheme.lastReport?.compressed.map((c) => c.density); // kept fraction of blocks per layer
 * ```
 */
export class BlockPrune extends RankedScheme<BlockPruneSchemeOptions> {
  readonly kind = 'BlockPrune';

  constructor(options: Partial<BlockPruneSchemeOptions> = {}) {
    const bs = options.blockSize;
    if (!Array.isArray(bs) || bs.length !== 2 || bs.some((b) => !Number.isInteger(b) || b < 1)) {
      throw new InvalidArgumentError(
        `BlockPrune: blockSize must be [rows, cols] of positive integers; got ${JSON.stringify(bs)}`,
      );
    }
    if (options.criteria !== undefined && !CRITERIA.includes(options.criteria)) {
      throw new InvalidArgumentError(
        `BlockPrune: unknown criteria '${String(options.criteria)}'; accepted: ${CRITERIA.join(', ')}`,
      );
    }
    super({ ...options, blockSize: [bs[0], bs[1]] });
  }

  protected get layerClasses(): readonly string[] {
    return this.options.layerTypes ?? classesWithNeurons();
  }

  protected protectsOutputs(): boolean {
    return false;
  }

  protected override guardsEmptyLayers(): boolean {
    return !(this.options.allowEmptyLayers ?? false);
  }

  protected override unit(): string {
    return 'block';
  }

  /** Dense-like layers by default (Condensa's block pruning of Linear layers), else `layerTypes`. */
  protected override family(): LayerFamily {
    return this.options.layerTypes ? classLayers(this.options.layerTypes) : unitLayers;
  }

  protected weightsOf(): string[] {
    return ['kernel'];
  }

  protected rank(layer: tf.layers.Layer): RankedLayer {
    const { data, shape } = weightData(layer, 'kernel');
    const cols = shape[shape.length - 1];
    const rows = data.length / cols;
    const [br, bc] = this.options.blockSize;
    const divides = rows % br === 0 && cols % bc === 0;
    if (!divides && !this.options.pad) {
      throw new InvalidArgumentError(
        `BlockPrune: block [${br}, ${bc}] does not divide ${layer.name}/kernel viewed as [${rows}, ${cols}] ` +
          `(shape [${shape.join(', ')}]); choose a block that divides it or pass pad: true`,
      );
    }
    const pad = this.options.pad ?? false;
    const scores = blockScores2d(
      data,
      rows,
      cols,
      [br, bc],
      this.options.criteria ?? 'l2',
      pad,
      `${layer.name}/kernel`,
    );
    const nbc = Math.ceil(cols / bc);
    return {
      layer,
      scores,
      masks: (keep) => {
        const m = new Float32Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++)
            m[r * cols + c] = keep[Math.floor(r / br) * nbc + Math.floor(c / bc)];
        }
        return [{ name: 'kernel', mask: tf.tensor(m, shape) }];
      },
    };
  }

  protected with(options: BlockPruneSchemeOptions): this {
    return new BlockPrune(options) as this;
  }

  protected optionsJSON(): Record<string, unknown> {
    const { blockSize, criteria, pad, layerTypes, allowEmptyLayers } = this.options;
    return Object.fromEntries(
      Object.entries({ blockSize: [...blockSize], criteria, pad, layerTypes, allowEmptyLayers }).filter(
        ([, v]) => v !== undefined,
      ),
    );
  }
}
