import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { channelRows } from './kinds/common.js';

/** How the weights of one channel are reduced to a score. All criteria use |w|. */
export type GroupCriteria = 'l2' | 'l1' | 'max' | 'min' | 'mean' | 'sum' | 'l2Scaled';

// Rows are channels: every reduction runs over the last axis.
const reducers: Record<GroupCriteria, (rows: tf.Tensor2D) => tf.Tensor> = {
  l2: (r) => r.square().sum(1).sqrt(),
  l1: (r) => r.abs().sum(1),
  sum: (r) => r.abs().sum(1),
  max: (r) => r.abs().max(1),
  min: (r) => r.abs().min(1),
  mean: (r) => r.abs().mean(1),
  l2Scaled: (r) => r.square().sum(1).sqrt().div(r.shape[1]),
};

export const groupCriteria = Object.keys(reducers) as GroupCriteria[];

/** Score each slice of `w` along `axis` with `criteria`. */
export function sliceScores(w: tf.Tensor, axis: number, criteria: GroupCriteria): Float32Array {
  const reduce = reducers[criteria];
  if (!reduce) {
    throw new InvalidArgumentError(`criteria '${criteria}' is not one of ${groupCriteria.join(', ')}`);
  }
  return tf.tidy(() => reduce(channelRows(w, axis)).dataSync() as Float32Array);
}
