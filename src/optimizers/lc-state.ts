import * as tf from '@tensorflow/tfjs';
import { DataError } from '../errors.js';
import type { MethodState, SavedState } from './method-state.js';

/**
 * The L-C optimizer's state across outer steps: the penalty weight `mu`, the Lagrange
 * multipliers `lambda` and the compressed weights `theta` of the last C step (one tensor per
 * weight the scheme targets, in `scheme.targets` order). It owns its tensors.
 *
 * @example
 * ```ts
 * const state = new LCState(0.5, [tf.zeros([3, 2])]);
 * const saved = state.save(); // { values: { mu: 0.5 }, tensors: { lambda: [...], theta: [] } }
 * const copy = LCState.load(saved); // what a resumed run rebuilds
 * ```
 */
export class LCState implements MethodState {
  constructor(
    public mu: number,
    public lambda: tf.Tensor[],
    public theta: tf.Tensor[] = [],
  ) {
    this.lambda = lambda.map((t) => tf.keep(t));
    this.theta = theta.map((t) => tf.keep(t));
  }

  /** Replace the multipliers (the old ones are disposed). */
  setLambda(next: tf.Tensor[]): void {
    tf.dispose(this.lambda.filter((t) => !next.includes(t)));
    this.lambda = next.map((t) => tf.keep(t));
  }

  /** Replace the compressed weights (the old ones are disposed). */
  setTheta(next: tf.Tensor[]): void {
    tf.dispose(this.theta.filter((t) => !next.includes(t)));
    this.theta = next.map((t) => tf.keep(t));
  }

  save(): SavedState {
    return {
      values: { mu: this.mu },
      tensors: { lambda: this.lambda.map((t) => t.clone()), theta: this.theta.map((t) => t.clone()) },
    };
  }

  /** The state a checkpoint saved (its tensors are copied). */
  static load(saved: SavedState): LCState {
    const mu = saved.values.mu;
    if (typeof mu !== 'number') {
      throw new DataError(`the checkpoint's L-C state has no numeric mu (got ${String(mu)})`);
    }
    const copy = (name: string) => (saved.tensors[name] ?? []).map((t) => t.clone());
    return new LCState(mu, copy('lambda'), copy('theta'));
  }

  dispose(): void {
    tf.dispose([...this.lambda, ...this.theta]);
    this.lambda = [];
    this.theta = [];
  }
}
