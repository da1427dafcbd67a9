import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { UpdateRule } from './update-rule.js';

/** Which first-order method updates the weights. */
export type OptimizerKind = 'sgd' | 'adam';

/** Settings of a `GradientOptimizer`. */
export interface GradientOptimizerOptions {
  kind?: OptimizerKind;
  /** SGD momentum (Nesterov form); default 0.9. Ignored by Adam. */
  momentum?: number;
  /** L2 weight decay added to every gradient (PyTorch's `weight_decay`); default 0. */
  weightDecay?: number;
  /** Adam's beta1/beta2/epsilon (defaults 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * SGD with Nesterov momentum in Condensa's (PyTorch's) form, `v = m v + g; w -= lr (g + m v)`
 * (identical to `tf.train.momentum(lr, m, true)`), or Adam, with the learning rate passed per
 * step. The state (velocities / moments) is held here as plain tensors so that the L-C
 * optimizer can reset it every step and checkpoints can save and restore it exactly; tfjs's
 * optimizers keep it private and fix the rate at construction.
 *
 * @example
 * const opt = new GradientOptimizer({ kind: 'sgd', momentum: 0.9 });
 * opt.apply(vars, grads, 0.01);
 * opt.dispose();
 */
export class GradientOptimizer implements UpdateRule {
  readonly kind: OptimizerKind;
  private readonly momentum: number;
  private readonly weightDecay: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private slots: tf.Tensor[][] = [];
  private t = 0;

  constructor(opts: GradientOptimizerOptions = {}) {
    this.kind = opts.kind ?? 'sgd';
    if (this.kind !== 'sgd' && this.kind !== 'adam') {
      throw new InvalidArgumentError(`optimizer must be 'sgd' or 'adam', got '${String(this.kind)}'`);
    }
    this.momentum = opts.momentum ?? 0.9;
    this.weightDecay = opts.weightDecay ?? 0;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new InvalidArgumentError(`momentum must be in [0, 1), got ${this.momentum}`);
    }
    if (!(this.weightDecay >= 0)) {
      throw new InvalidArgumentError(`weightDecay must be >= 0, got ${this.weightDecay}`);
    }
  }

  /**
   * Update `vars` in place with `grads` (same order; null = no gradient) at learning rate `lr`.
   * `masks[i]`, when given, multiplies the new value of `vars[i]` (pruned entries stay zero).
   */
  apply(
    vars: tf.Variable[],
    grads: Array<tf.Tensor | null>,
    lr: number,
    masks?: Array<tf.Tensor | null>,
  ): void {
    this.t++;
    tf.tidy(() => {
      vars.forEach((v, i) => {
        let g = grads[i];
        if (!g) return; // no gradient reaches this variable: leave it (and its slots) alone
        if (this.weightDecay > 0) g = tf.add(g, tf.mul(v, this.weightDecay));
        const next = this.kind === 'sgd' ? this.sgdStep(v, g, i, lr) : this.adamStep(v, g, i, lr);
        const mask = masks?.[i];
        v.assign(mask ? tf.mul(next, mask) : next);
      });
    });
  }

  private slot(i: number, v: tf.Tensor, count: number): tf.Tensor[] {
    if (!this.slots[i]?.length) this.slots[i] = Array.from({ length: count }, () => tf.keep(tf.zerosLike(v)));
    return this.slots[i];
  }

  private replace(i: number, k: number, value: tf.Tensor): void {
    this.slots[i][k].dispose();
    this.slots[i][k] = tf.keep(value);
  }

  // The steps return the updated value; `apply` assigns it (masked) to the variable.
  private sgdStep(v: tf.Variable, g: tf.Tensor, i: number, lr: number): tf.Tensor {
    if (this.momentum === 0) return tf.sub(v, tf.mul(g, lr));
    const [vel] = this.slot(i, v, 1);
    const next = tf.add(tf.mul(vel, this.momentum), g);
    this.replace(i, 0, next);
    return tf.sub(v, tf.mul(tf.add(g, tf.mul(next, this.momentum)), lr));
  }

  private adamStep(v: tf.Variable, g: tf.Tensor, i: number, lr: number): tf.Tensor {
    const [m, s] = this.slot(i, v, 2);
    const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
    const s1 = tf.add(tf.mul(s, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
    const mHat = tf.div(m1, 1 - this.beta1 ** this.t);
    const sHat = tf.div(s1, 1 - this.beta2 ** this.t);
    this.replace(i, 0, m1);
    this.replace(i, 1, s1);
    return tf.sub(v, tf.mul(tf.div(mHat, tf.add(tf.sqrt(sHat), this.epsilon)), lr));
  }

  /** Forget all momentum / moments (the L-C optimizer does this after every C step). */
  reset(): void {
    this.dispose();
    this.t = 0;
  }

  /** A copy of the state for checkpoints: step count and slot tensors (caller owns them). */
  getState(): { t: number; slots: tf.Tensor[][] } {
    return { t: this.t, slots: this.slots.map((s) => s.map((x) => x.clone())) };
  }

  /** Replace the state with copies of `state`'s tensors. */
  setState(state: { t: number; slots: tf.Tensor[][] }): void {
    this.dispose();
    this.t = state.t;
    this.slots = state.slots.map((s) => s.map((x) => tf.keep(x.clone())));
  }

  dispose(): void {
    for (const s of this.slots) tf.dispose(s);
    this.slots = [];
  }
}
