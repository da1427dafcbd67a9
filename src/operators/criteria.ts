import { InvalidArgumentError } from '../errors.js';

/**
 * How a structure (filter, neuron, block) is reduced to one importance score. Every criterion
 * works on magnitudes |w|: `l2` = sqrt(sum w^2) (Condensa's default), `l1` = `sum` = sum |w|,
 * `max`/`min`/`mean` of |w|, and `l2Scaled` = l2 / number of elements (Condensa lite's
 * size-scaled norm, which makes blocks or layers of different sizes comparable).
 */
export type Criteria = 'l2' | 'l1' | 'max' | 'min' | 'mean' | 'sum' | 'l2Scaled';

/** A streaming reduction: `step` folds one |w| into the accumulator, `finish` reads it out. */
export interface Criterion {
  init: number;
  step(acc: number, magnitude: number): number;
  finish(acc: number, count: number): number;
}

const sum: Criterion = { init: 0, step: (a, m) => a + m, finish: (a) => a };

/** The registry of criteria, keyed by name. Accumulation is float64 for stable rankings. */
export const CRITERIA: Readonly<Record<Criteria, Criterion>> = {
  l2: { init: 0, step: (a, m) => a + m * m, finish: (a) => Math.sqrt(a) },
  l1: sum,
  sum,
  max: { init: -Infinity, step: (a, m) => (m > a ? m : a), finish: (a) => a },
  min: { init: Infinity, step: (a, m) => (m < a ? m : a), finish: (a) => a },
  mean: { init: 0, step: (a, m) => a + m, finish: (a, n) => (n > 0 ? a / n : 0) },
  l2Scaled: { init: 0, step: (a, m) => a + m * m, finish: (a, n) => (n > 0 ? Math.sqrt(a) / n : 0) },
};

/** Names of the accepted criteria, for error messages and CLI help. */
export const CRITERIA_NAMES = Object.keys(CRITERIA) as Criteria[];

/** The criterion called `name`, or an `InvalidArgumentError` listing the accepted names. */
export function criterion(name: string, what = 'criteria'): Criterion {
  if (!Object.prototype.hasOwnProperty.call(CRITERIA, name)) {
    throw new InvalidArgumentError(
      `${what}: unknown criteria '${name}'; accepted: ${CRITERIA_NAMES.join(', ')}`,
    );
  }
  return CRITERIA[name as Criteria];
}

/**
 * Reduce `data` into `groups` scores: entry i belongs to group `groupOf[i]`. Shared by
 * structure and block scoring so every criterion means the same thing everywhere.
 */
export function aggregate(
  data: ArrayLike<number>,
  groupOf: Uint32Array,
  groups: number,
  c: Criterion,
  /** Divide by this many elements instead of the counted ones (zero-padded blocks). */
  fixedCount?: number,
): Float64Array {
  const acc = new Float64Array(groups).fill(c.init);
  const count = new Uint32Array(groups);
  for (let i = 0; i < data.length; i++) {
    const g = groupOf[i];
    acc[g] = c.step(acc[g], Math.abs(data[i]));
    count[g]++;
  }
  for (let g = 0; g < groups; g++) {
    // Zero padding adds |0| entries: they change max/min/mean and the l2Scaled divisor only.
    if (fixedCount !== undefined && count[g] < fixedCount) acc[g] = c.step(acc[g], 0);
    acc[g] = c.finish(acc[g], fixedCount ?? count[g]);
  }
  return acc;
}
