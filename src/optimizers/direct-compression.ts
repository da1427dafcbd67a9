import type * as tf from '@tensorflow/tfjs';
import { reestimateBatchNorm } from './batchnorm.js';
import type { RecoveryOptimizer } from './recovery-optimizer.js';
import type { Run } from './run.js';
import { checkCount } from './training-options.js';

/**
 * Direct (one-shot) compression, Condensa's `DC`: apply the scheme's `pi` once, no training.
 * Optionally (`bnImages > 0`, default 0 so that it is exactly Condensa's DC) re-estimate the
 * BatchNorm statistics afterwards, which is forward passes only.
 *
 * @example
 * ```ts
 * const { model } = await new Compressor({ model: dense, scheme: new Prune(0.5),
 *   optimizer: new DirectCompression(), trainData, valData, loss: 'categoricalCrossentropy' }).run();
 * ```
 */
export class DirectCompression implements RecoveryOptimizer {
  readonly name = 'DirectCompression';
  readonly bnImages: number;

  constructor(options: { bnImages?: number } = {}) {
    this.bnImages = options.bnImages ?? 0;
    checkCount('DirectCompression bnImages', this.bnImages);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, bnImages: this.bnImages };
  }

  plan(): { steps: number; iterations: number } {
    return { steps: 1, iterations: 0 };
  }

  async start(): Promise<void> {}

  async step(run: Run): Promise<void> {
    run.scheme.pi(run.model);
    if (this.bnImages > 0)
      await reestimateBatchNorm(run.model, run.config.trainData, { images: this.bnImages });
    const { val, test } = await run.evaluateCandidate(run.model);
    run.record({ lr: 0, trainLoss: null, iterations: 0, val, test, density: run.density(run.model) });
  }

  async finish(run: Run): Promise<tf.LayersModel> {
    return run.bestModel();
  }
}
