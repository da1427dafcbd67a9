import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

/**
 * A measurable property of a model that compression should improve: throughput, latency,
 * FLOPs, parameters, bytes, or anything a user computes.
 */
export interface Objective {
  /** Short name used in logs and reports, e.g. `throughput(bs=64)`. */
  name: string;
  /** Measure the model. May run it (throughput) or only inspect it (FLOPs). */
  measure(model: tf.LayersModel): Promise<number>;
  /** Whether larger values are better; a hint for reports (Maximize/Minimize decide the search). */
  higherIsBetter?: boolean;
}

/** A user function usable as an objective. */
export type ObjectiveFn = (model: tf.LayersModel) => number | Promise<number>;

/**
 * Wrap a user function as a named objective (the value must be a finite number).
 *
 * @example
 * const sparsityObjective = defineObjective('bias-free params', (m) => m.countParams(), { higherIsBetter: false });
 */
export function defineObjective(
  name: string,
  fn: ObjectiveFn,
  opts: { higherIsBetter?: boolean } = {},
): Objective {
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError(
      `objective '${name}' needs a function (model) => number, got ${typeof fn}`,
    );
  }
  return {
    name,
    higherIsBetter: opts.higherIsBetter,
    measure: async (model) => {
      const value = await fn(model);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InvalidArgumentError(
          `objective '${name}' returned ${String(value)}; it must return a finite number`,
        );
      }
      return value;
    },
  };
}

/**
 * Accept an `Objective` or a plain function `(model) => number | Promise<number>`.
 *
 * @example
 * const o = toObjective((m) => m.countParams()); // o.name === 'custom'
 */
export function toObjective(objective: Objective | ObjectiveFn): Objective {
  if (typeof objective === 'function') return defineObjective(objective.name || 'custom', objective);
  if (!objective || typeof objective.measure !== 'function' || typeof objective.name !== 'string') {
    throw new InvalidArgumentError(
      'an objective must be { name, measure(model) } or a function (model) => number | Promise<number>',
    );
  }
  return objective;
}
