import type * as tf from '@tensorflow/tfjs';
import type { Direction } from '../search/types.js';
import { toObjective, type Objective, type ObjectiveFn } from './objective.js';

/**
 * An objective with the direction the search should push it. `score` orients values so that
 * larger is always better, which is what the search compares.
 */
abstract class Goal {
  readonly objective: Objective;
  abstract readonly direction: Direction;

  constructor(objective: Objective | ObjectiveFn) {
    this.objective = toObjective(objective);
  }

  get name(): string {
    return `${this.direction}(${this.objective.name})`;
  }

  measure(model: tf.LayersModel): Promise<number> {
    return this.objective.measure(model);
  }

  /** Larger is better: the value itself when maximising, its negation when minimising. */
  score(value: number): number {
    return this.direction === 'maximize' ? value : -value;
  }
}

/**
 * Maximise an objective (e.g. throughput) within the accuracy budget.
 *
 * @example
 * const goal = new Maximize(throughput());
 */
export class Maximize extends Goal {
  readonly direction = 'maximize' as const;
}

/**
 * Minimise an objective (e.g. FLOPs, latency, bytes) within the accuracy budget.
 *
 * @example
 * const goal = new Minimize(flops());
 */
export class Minimize extends Goal {
  readonly direction = 'minimize' as const;
}

/** The seed listing's name for the goal constructors: `new searchops.Maximize(throughput())`. */
export const searchops = { Maximize, Minimize };

export type SearchGoal = Maximize | Minimize;
