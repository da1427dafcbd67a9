/**
 * The Importance API: one score per output structure (filter, neuron) of each layer, from the
 * weights ('l1', 'l2', 'lamp', 'fpgm', 'bnScale', 'random') or from calibration data
 * ('activation', 'apoz', 'taylor', 'tvs'), or from a user function. Structured schemes and group
 * pruning rank with it.
 */
export { importanceScores, type ImportanceScoresOptions } from './scores.js';
export { BUILTIN_IMPORTANCE } from './builtins.js';
export {
  importanceCriterion,
  importanceNames,
  importanceNeeds,
  registerImportance,
  type ImportanceCriterion,
} from './registry.js';
export type {
  Calibration,
  Importance,
  ImportanceContext,
  ImportanceFunction,
  ImportanceOptions,
} from './types.js';
export { leastPairwiseTv } from './tvs.js';
export { isKnownImportance, resolveImportance, type ImportanceOrCriteria } from './resolve.js';
export { magnitudeImportance } from './magnitude.js';
export { hasStructures, structureCount, structureKind } from './structures.js';
