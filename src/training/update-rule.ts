import * as tf from '@tensorflow/tfjs';
import { getWeightVariable, prunedWeights } from '../pruning/index.js';
import { setLearningRate } from './schedules.js';

/**
 * How the training loop changes the weights from their gradients. `masks[i]` (when given) is
 * the pruning mask of `vars[i]` or null: the rule multiplies the updated value by it in the
 * same pass, so pruned entries stay exactly zero without re-applying masks afterwards.
 */
export interface UpdateRule {
  apply(
    vars: tf.Variable[],
    grads: Array<tf.Tensor | null>,
    lr: number,
    masks?: Array<tf.Tensor | null>,
  ): void;
}

/** The pruning mask of each variable of `vars` (null where unpruned), looked up once per loop. */
export function maskedVariables(model: tf.LayersModel, vars: tf.Variable[]): Array<tf.Tensor | null> {
  const byName = new Map<string, tf.Tensor>();
  for (const { layer, name, mask } of prunedWeights(model)) {
    byName.set((getWeightVariable(layer, name).read() as tf.Variable).name, mask);
  }
  return vars.map((v) => byName.get(v.name) ?? null);
}

/**
 * A tfjs optimizer (`tf.train.adam(...)`, `tf.train.momentum(...)`) as the loop's update rule:
 * the rate is set before every step and masks are applied right after it. `condensa train`
 * uses this so that a trained model keeps the tfjs optimizer it was compiled with.
 *
 * @example
 * ```ts
 * const optimizer = tf.train.adam(1e-3);
 * await trainIterations(model, { stream, loss, iterations: 100, lr: constantLr(1e-3),
 *   optimizer: tfOptimizerRule(optimizer) });
 * ```
 */
export function tfOptimizerRule(optimizer: tf.Optimizer): UpdateRule {
  return {
    apply(vars, grads, lr, masks) {
      setLearningRate(optimizer, lr);
      const named: tf.NamedTensorMap = {};
      vars.forEach((v, i) => {
        const g = grads[i];
        if (g) named[v.name] = g;
      });
      optimizer.applyGradients(named);
      tf.tidy(() => {
        vars.forEach((v, i) => {
          const m = masks?.[i];
          if (m) v.assign(tf.mul(v, m));
        });
      });
    },
  };
}
