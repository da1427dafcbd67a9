import * as tf from '@tensorflow/tfjs';
import { applyMasks } from '../pruning/index.js';
import { penalty, type RegularizerSpec } from '../training/regularizer.js';
import type { BatchStream } from './data.js';
import type { TeacherLoss } from './distillation.js';
import type { GradientOptimizer } from './gradient-optimizer.js';
import type { LossFunction } from './loss.js';
import type { LrSchedule } from './schedules.js';
import { DivergenceError, throwIfAborted } from './signals.js';

/** Settings of `trainIterations`. */
export interface TrainLoopOptions {
  stream: BatchStream;
  loss: LossFunction;
  optimizer: GradientOptimizer;
  iterations: number;
  /** Learning rate by iteration of this loop (0-based). */
  lr: LrSchedule;
  /**
   * An extra gradient term for a trainable variable, added to the task-loss gradient (the L-C
   * penalty `mu (w - theta) - lambda`); return null for none. Called inside a tidy.
   */
  extraGradient?: (variable: tf.Variable) => tf.Tensor | null;
  /**
   * Knowledge distillation: the teacher's inference-mode predictions on each minibatch feed
   * `loss`, which replaces the task loss for training (see `distillationLoss`).
   */
  teacher?: { model: tf.LayersModel; loss: TeacherLoss };
  /** L1 / L2 / group-lasso / BN-scale penalty added to the training loss (see `penalty`). */
  regularizer?: RegularizerSpec;
  /** Called after each iteration with its loss and learning rate. */
  onIteration?: (iteration: number, loss: number, lr: number) => void;
  signal?: AbortSignal;
}

/** The trainable variables of a model, in `model.trainableWeights` order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Masked minibatch training: for each of `iterations` minibatches, the task loss is computed
 * with the model in training mode (`model.apply(x, { training: true })`, so BatchNorm normalises
 * with batch statistics and updates its moving statistics, as in `fit`), gradients are taken
 * with `tf.variableGrads`, the optimizer steps at the scheduled rate, and every pruning mask is
 * re-applied so pruned entries stay exactly zero. A NaN/Inf loss throws `DivergenceError`; an
 * aborted signal throws `RunAborted` before the next minibatch. Resolves to the mean loss.
 * Minibatch order is seeded (`BatchStream`); tfjs Dropout layers draw unseeded noise in training
 * mode, so only models without dropout train bit-reproducibly.
 *
 * @example
 * const mean = await trainIterations(model, {
 *   stream: new BatchStream({ xs, ys }, { batchSize: 32, seed: 0 }),
 *   loss: resolveLoss('categoricalCrossentropy'),
 *   optimizer: new GradientOptimizer({ kind: 'sgd', momentum: 0.9 }),
 *   iterations: 100,
 *   lr: intervalLr(0.01, 0.001, 100),
 * });
 */
export async function trainIterations(model: tf.LayersModel, opts: TrainLoopOptions): Promise<number> {
  const vars = trainableVariables(model);
  let sum = 0;
  for (let i = 0; i < opts.iterations; i++) {
    throwIfAborted(opts.signal);
    const batch = await opts.stream.next();
    const lr = opts.lr(i);
    const lossTensor = tf.tidy(() => {
      const teacher = opts.teacher;
      // Outside variableGrads: the teacher's forward pass needs no gradient tape.
      const soft = teacher ? (teacher.model.apply(batch.xs, { training: false }) as tf.Tensor) : null;
      const { value, grads } = tf.variableGrads(() => {
        const preds = model.apply(batch.xs, { training: true }) as tf.Tensor;
        const perExample = teacher && soft ? teacher.loss(batch.ys, preds, soft) : opts.loss(batch.ys, preds);
        const task = tf.mean(perExample) as tf.Scalar;
        return opts.regularizer ? (tf.add(task, penalty(model, opts.regularizer)) as tf.Scalar) : task;
      }, vars);
      const list = vars.map((v) => {
        const g = grads[v.name] as tf.Tensor | undefined;
        if (!g) return null;
        const extra = opts.extraGradient?.(v);
        return extra ? tf.add(g, extra) : g;
      });
      opts.optimizer.apply(vars, list, lr);
      return value;
    });
    tf.dispose([batch.xs, batch.ys]);
    applyMasks(model);
    const loss = (await lossTensor.data())[0];
    lossTensor.dispose();
    if (!Number.isFinite(loss)) {
      throw new DivergenceError(`training loss became ${loss} at iteration ${i} (learning rate ${lr})`);
    }
    sum += loss;
    opts.onIteration?.(i, loss, lr);
  }
  // The loss check above sees the effect of an update one iteration late: check the last one.
  const finite = tf.tidy(() => vars.every((v) => tf.all(tf.isFinite(v)).dataSync()[0] === 1));
  if (!finite) {
    throw new DivergenceError(`weights became NaN/Inf in the last of ${opts.iterations} iterations`);
  }
  return opts.iterations ? sum / opts.iterations : NaN;
}
