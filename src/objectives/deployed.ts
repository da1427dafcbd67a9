import type * as tf from '@tensorflow/tfjs';
import { compact } from '../graph/index.js';

/** Options of the objectives that can measure the model as deployed. */
export interface DeployOptions {
  /**
   * Measure `compact(model)` (pruned channels physically removed) instead of the model as it
   * is: structured pruning only speeds a model up, or shrinks its FLOPs, once compacted. The
   * compacted copy is disposed after measuring; `model` is not changed.
   */
  compact?: boolean;
}

/** Run `measure` on the model as deployed (compacted when asked), disposing any copy. */
export async function measureDeployed(
  model: tf.LayersModel,
  opts: DeployOptions,
  measure: (m: tf.LayersModel) => Promise<number>,
): Promise<number> {
  if (!opts.compact) return measure(model);
  const small = compact(model);
  try {
    return await measure(small);
  } finally {
    small.dispose();
  }
}
