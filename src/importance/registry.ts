import { InvalidArgumentError } from '../errors.js';
import type { Importance, ImportanceFunction } from './types.js';

/** A named criterion: its function and what it needs from the caller. */
export interface ImportanceCriterion {
  score: ImportanceFunction;
  /** 'none': weights only; 'inputs': calibration inputs; 'labels': inputs and labels. */
  needs: 'none' | 'inputs' | 'labels';
  /** One line for help texts. */
  description: string;
}

const criteria = new Map<string, ImportanceCriterion>();

/**
 * Register a named criterion so schemes, JSON specs and the CLI can use it by name. Registering
 * a name twice throws unless `{ replace: true }`: two modules silently fighting over a name would
 * make rankings depend on import order.
 *
 * @example
 * ```ts
 * registerImportance('biasMagnitude', {
 *   needs: 'none',
 *   description: '|bias| per filter',
 *   score: ({ layers }) =>
 *     Object.fromEntries(layers.map((l) => [l.name, Float32Array.from(l.getWeights()[1].dataSync(), Math.abs)])),
 * });
 * ```
 */
export function registerImportance(
  name: string,
  criterion: ImportanceCriterion,
  opts: { replace?: boolean } = {},
): void {
  if (criteria.has(name) && !opts.replace) {
    throw new InvalidArgumentError(
      `importance '${name}' is already registered; pass { replace: true } to replace it`,
    );
  }
  criteria.set(name, criterion);
}

/** The names of the registered criteria. */
export function importanceNames(): string[] {
  return [...criteria.keys()];
}

/** The criterion called `name`, or an `InvalidArgumentError` listing the registered names. */
export function importanceCriterion(name: string): ImportanceCriterion {
  const c = criteria.get(name);
  if (!c) {
    throw new InvalidArgumentError(
      `unknown importance '${name}'; registered: ${importanceNames().join(', ')}, or pass a function`,
    );
  }
  return c;
}

/** What `importance` needs from the caller ('none' for a user function, which is trusted). */
export function importanceNeeds(importance: Importance): ImportanceCriterion['needs'] {
  if (typeof importance === 'function') return 'none';
  // A magnitude criteria name ('max', 'mean'...) is not registered: it reads weights only.
  return criteria.get(importance)?.needs ?? 'none';
}
