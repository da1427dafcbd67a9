import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

/** How the weights of one channel are reduced to a score. All criteria use |w|. */
export type GroupCriteria = 'l2' | 'l1' | 'max' | 'min' | 'mean' | 'sum' | 'l2Scaled';

const reducers: Record<GroupCriteria, (rows: tf.Tensor2D) => tf.Tensor> = {
  l2: (r) => r.square().sum(0).sqrt(),
  l1: (r) => r.abs().sum(0),
  sum: (r) => r.abs().sum(0),
  max: (r) => r.abs().max(0),
  min: (r) => r.abs().min(0),
  mean: (r) => r.abs().mean(0),
  l2Scaled: (r) => r.square().sum(0).sqrt().div(r.shape[0]),
};

export const groupCriteria = Object.keys(reducers) as GroupCriteria[];

/** Score each slice of `w` along `axis` with `criteria`. */
export function sliceScores(w: tf.Tensor, axis: number, criteria: GroupCriteria): Float32Array {
  const reduce = reducers[criteria];
  if (!reduce) {
    throw new InvalidArgumentError(`criteria '${criteria}' is not one of ${groupCriteria.join(', ')}`);
  }
  return tf.tidy(() => {
    const perm = w.shape.map((_, i) => i).filter((i) => i !== axis);
    perm.push(axis);
    const rows = w.transpose(perm).reshape([-1, w.shape[axis]]) as tf.Tensor2D;
    return reduce(rows).dataSync() as Float32Array;
  });
}
