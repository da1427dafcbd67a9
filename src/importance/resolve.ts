import { InvalidArgumentError } from '../errors.js';
import { CRITERIA_NAMES } from '../operators/criteria.js';
import type { Criteria } from '../operators/criteria.js';
import { magnitudeImportance } from './magnitude.js';
import { importanceCriterion, importanceNames } from './registry.js';
import type { Importance, ImportanceFunction } from './types.js';
import './builtins.js';

/** An importance, or one of the operators' magnitude criteria names (the older `criteria` option). */
export type ImportanceOrCriteria = Importance | Criteria;

/**
 * The function behind `importance`: a registered name, a user function, or a magnitude
 * criteria name ('max', 'mean', 'l2Scaled'...; 'l1' and 'l2' mean the same under both). Throws an
 * `InvalidArgumentError` listing both vocabularies for an unknown name.
 *
 * @example
 * ```ts
 * const score = resolveImportance('fpgm');
 * score({ model, layers: [model.getLayer('conv1')], options: {} }).conv1; // one score per filter
 * ```
 */
export function resolveImportance(importance: ImportanceOrCriteria, what = 'importance'): ImportanceFunction {
  if (typeof importance === 'function') return importance;
  if (importanceNames().includes(importance)) return importanceCriterion(importance).score;
  if ((CRITERIA_NAMES as string[]).includes(importance)) return magnitudeImportance(importance as Criteria);
  throw new InvalidArgumentError(
    `${what}: unknown criteria '${String(importance)}'; accepted importance: ${importanceNames().join(', ')}; magnitude criteria: ${CRITERIA_NAMES.join(', ')}; or a function`,
  );
}

/**
 * Whether `importance` is known (a function, a registered importance or a magnitude criteria).
 *
 * @example
 * ```ts
 * isKnownImportance('taylor'); // true
 * isKnownImportance('median'); // false
 * ```
 */
export function isKnownImportance(importance: unknown): boolean {
  return (
    typeof importance === 'function' ||
    (typeof importance === 'string' &&
      (importanceNames().includes(importance) || (CRITERIA_NAMES as string[]).includes(importance)))
  );
}
