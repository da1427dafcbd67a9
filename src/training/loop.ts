import * as tf from '@tensorflow/tfjs';
import type { BatchStream } from './batch-stream.js';
import type { TeacherLoss } from './distillation.js';
import type { LossFunction } from './loss.js';
import { maskedVariables, type UpdateRule } from './update-rule.js';
import type { LrSchedule } from './schedules.js';
import { DivergenceError, throwIfAborted } from './signals.js';

/**
 * An extra loss term added to the task loss inside the gradient computation, e.g. an L2 or
 * group-lasso penalty on the model's weights. It is called once per minibatch inside the
 * gradient tape and must return a scalar built from the model's variables (read them with
 * `layer.getWeights()` or `model.trainableWeights[i].read()`).
 *
 * @example
 * ```ts
 * // L2 penalty 1e-4 * sum of squared kernels, for trainClassifier, FineTune or the Compressor:
 * const l2: Regularizer = (m) =>
 *   tf.mul(1e-4, tf.addN(m.trainableWeights.filter((w) => w.name.includes('kernel'))
 *     .map((w) => tf.sum(tf.square(w.read()))))) as tf.Scalar;
 * ```
 */
export type Regularizer = (model: tf.LayersModel) => tf.Scalar;

/** What one iteration reports (read from the device every `readEvery` iterations). */
export interface IterationReport {
  iteration: number;
  /** The minimised loss of the minibatch: task (or distillation) loss plus the regularizer. */
  loss: number;
  lr: number;
  /** Fraction of the minibatch classified correctly (only with `accuracy: true`). */
  accuracy?: number;
}

/** Settings of `trainIterations`. */
export interface TrainLoopOptions {
  stream: BatchStream;
  loss: LossFunction;
  /** The update rule: a `GradientOptimizer`, or a tfjs optimizer through `tfOptimizerRule`. */
  optimizer: UpdateRule;
  iterations: number;
  /** Learning rate by iteration of this loop (0-based). */
  lr: LrSchedule;
  /**
   * An extra gradient term for a trainable variable, added to the task-loss gradient (the L-C
   * penalty `mu (w - theta) - lambda`); return null for none. Called inside a tidy.
   */
  extraGradient?: (variable: tf.Variable) => tf.Tensor | null;
  /** An extra loss term differentiated with the task loss (see `Regularizer`). */
  regularizer?: Regularizer;
  /**
   * Knowledge distillation: the teacher's inference-mode predictions on each minibatch feed
   * `loss`, which replaces the task loss for training (see `distillationLoss`).
   */
  teacher?: { model: tf.LayersModel; loss: TeacherLoss };
  /** Also measure each minibatch's accuracy (one-hot or sparse labels). */
  accuracy?: boolean;
  /**
   * Losses stay on the device and are read every this many iterations (default 8, and always
   * after the last): a read waits for the backend, so reading every step stalls the pipeline.
   * A NaN/Inf loss is therefore noticed up to `readEvery - 1` iterations late (the error still
   * names the iteration where it appeared).
   */
  readEvery?: number;
  /** Called for each iteration, in order, once its loss has been read. */
  onIteration?: (report: IterationReport) => void;
  signal?: AbortSignal;
}

/** The trainable variables of a model, in `model.trainableWeights` order. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

// Correct predictions of a minibatch: one-hot labels compare arg-maxes, sparse ones indices.
function correctCount(ys: tf.Tensor, preds: tf.Tensor): tf.Scalar {
  const classes = ys.rank >= 2 && (ys.shape[ys.rank - 1] as number) > 1;
  const truth = classes ? tf.argMax(ys, -1) : tf.cast(tf.reshape(ys, [-1]), 'int32');
  return tf.sum(tf.cast(tf.equal(tf.argMax(preds, -1), truth), 'float32'));
}

interface Pending {
  iteration: number;
  lr: number;
  loss: tf.Tensor;
  hits: tf.Tensor | null;
  size: number;
}

/**
 * The one training loop of condensa-ts (`condensa train`, every recovery optimizer and the
 * search's samples): for each of `iterations` minibatches, the loss (task or distillation loss,
 * plus the optional regularizer) is computed with the model in training mode
 * (`model.apply(x, { training: true })`, so BatchNorm normalises with batch statistics and
 * updates its moving statistics, as in `fit`), gradients are taken with `tf.variableGrads`, and
 * the update rule steps at the scheduled rate with every pruning mask folded into the update,
 * so pruned entries stay exactly zero without a separate pass. A NaN/Inf loss throws
 * `DivergenceError`; an aborted signal throws `RunAborted` before the next minibatch. Resolves
 * to the mean loss. Minibatch order is seeded (`BatchStream`); tfjs Dropout layers draw
 * unseeded noise in training mode, so only models without dropout train bit-reproducibly.
 *
 * @example
 * ```ts
 * const mean = await trainIterations(model, {
 *   stream: new BatchStream({ xs, ys }, { batchSize: 32, seed: 0 }),
 *   loss: resolveLoss('categoricalCrossentropy'),
 *   optimizer: new GradientOptimizer({ kind: 'sgd', momentum: 0.9 }),
 *   iterations: 100,
 *   lr: intervalLr(0.01, 0.001, 100),
 * });
 * ```
 */
export async function trainIterations(model: tf.LayersModel, opts: TrainLoopOptions): Promise<number> {
  const vars = trainableVariables(model);
  const masks = maskedVariables(model, vars);
  const readEvery = Math.max(1, opts.readEvery ?? 8);
  let pending: Pending[] = [];
  let sum = 0;
  const drain = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    const values = await Promise.all(batch.map((p) => p.loss.data()));
    const hits = await Promise.all(batch.map((p) => p.hits?.data()));
    tf.dispose(batch.flatMap((p) => (p.hits ? [p.loss, p.hits] : [p.loss])));
    batch.forEach((p, k) => {
      const loss = values[k][0];
      if (!Number.isFinite(loss)) {
        throw new DivergenceError(
          `training loss became ${loss} at iteration ${p.iteration} (learning rate ${p.lr})`,
        );
      }
      sum += loss;
      const accuracy = hits[k] ? (hits[k] as ArrayLike<number>)[0] / p.size : undefined;
      opts.onIteration?.({ iteration: p.iteration, loss, lr: p.lr, accuracy });
    });
  };
  try {
    for (let i = 0; i < opts.iterations; i++) {
      throwIfAborted(opts.signal);
      const batch = await opts.stream.next();
      const lr = opts.lr(i);
      const measured: { hits: tf.Tensor | null } = { hits: null };
      const lossTensor = tf.tidy(() => {
        const teacher = opts.teacher;
        // Outside variableGrads: the teacher's forward pass needs no gradient tape.
        const soft = teacher ? (teacher.model.apply(batch.xs, { training: false }) as tf.Tensor) : null;
        const { value, grads } = tf.variableGrads(() => {
          const preds = model.apply(batch.xs, { training: true }) as tf.Tensor;
          if (opts.accuracy) measured.hits = tf.keep(correctCount(batch.ys, preds));
          const perExample =
            teacher && soft ? teacher.loss(batch.ys, preds, soft) : opts.loss(batch.ys, preds);
          const task = tf.mean(perExample) as tf.Scalar;
          return opts.regularizer ? (tf.add(task, opts.regularizer(model)) as tf.Scalar) : task;
        }, vars);
        const list = vars.map((v) => {
          const g = grads[v.name] as tf.Tensor | undefined;
          if (!g) return null;
          const extra = opts.extraGradient?.(v);
          return extra ? tf.add(g, extra) : g;
        });
        opts.optimizer.apply(vars, list, lr, masks);
        return value;
      });
      pending.push({ iteration: i, lr, loss: lossTensor, hits: measured.hits, size: batch.xs.shape[0] });
      tf.dispose([batch.xs, batch.ys]);
      if (pending.length >= readEvery) await drain();
    }
    await drain();
  } finally {
    tf.dispose(pending.flatMap((p) => (p.hits ? [p.loss, p.hits] : [p.loss])));
  }
  // The loss check above sees the effect of an update one iteration late: check the last one.
  const finite = tf.tidy(() => vars.every((v) => tf.all(tf.isFinite(v)).dataSync()[0] === 1));
  if (!finite) {
    throw new DivergenceError(`weights became NaN/Inf in the last of ${opts.iterations} iterations`);
  }
  return opts.iterations ? sum / opts.iterations : NaN;
}
