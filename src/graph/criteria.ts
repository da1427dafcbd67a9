import type * as tf from '@tensorflow/tfjs';
import { CRITERIA_NAMES } from '../operators/criteria.js';
import type { Criteria } from '../operators/criteria.js';
import { scoreStructures } from '../operators/structureScores.js';

/**
 * How the weights of one channel are reduced to a score: the operators' magnitude criteria (one
 * arithmetic everywhere: float64 accumulation over |w|). Group pruning takes any importance
 * (`src/importance/`); these names remain for compatibility.
 */
export type GroupCriteria = Criteria;

export const groupCriteria: GroupCriteria[] = CRITERIA_NAMES;

/** Score each slice of `w` along `axis` with `criteria` (the operators' `scoreStructures`). */
export function sliceScores(w: tf.Tensor, axis: number, criteria: GroupCriteria): Float32Array {
  return scoreStructures(w.dataSync(), w.shape, criteria, axis, 'sliceScores');
}
