import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { LossFunction } from './loss.js';

/** Settings of knowledge distillation from a teacher model during recovery training. */
export interface DistillationOptions {
  /**
   * The teacher (forward passes only, inference mode, never modified). The Compressor defaults
   * it to the dense input model, so the compressed model learns to match its own original.
   */
  teacher?: tf.LayersModel;
  /** Softening temperature T of both distributions (default 4). */
  temperature?: number;
  /** Weight of the distillation term; the task loss gets `1 - alpha` (default 0.9). */
  alpha?: number;
}

/** A per-example training loss that also sees the teacher's predictions on the same batch. */
export type TeacherLoss = (yTrue: tf.Tensor, yPred: tf.Tensor, teacherPred: tf.Tensor) => tf.Tensor;

/** Validate distillation settings and fill in the defaults (teacher excepted). */
export function distillationSettings(o: DistillationOptions): { temperature: number; alpha: number } {
  const temperature = o.temperature ?? 4;
  const alpha = o.alpha ?? 0.9;
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new InvalidArgumentError(
      `distillation temperature must be a finite number > 0, got ${temperature}`,
    );
  }
  if (!(alpha >= 0 && alpha <= 1)) {
    throw new InvalidArgumentError(`distillation alpha must be in [0, 1], got ${alpha}`);
  }
  return { temperature, alpha };
}

/**
 * Hinton et al.'s distillation loss for models that output class probabilities (a softmax
 * last layer, as every model here): per example,
 * `alpha * T^2 * KL(softmax(log q / T) || softmax(log p / T)) + (1 - alpha) * task(y, p)`,
 * where q is the teacher's and p the student's output. `log p` recovers the logits up to a
 * per-example constant, which the softmax ignores, so no change to the model is needed. The
 * `T^2` factor keeps the soft term's gradient on the scale of the task loss's as T grows.
 *
 * @example
 * const loss = distillationLoss(resolveLoss('categoricalCrossentropy'), { temperature: 4, alpha: 0.9 });
 * const perExample = loss(yTrue, student.predict(x) as tf.Tensor, teacher.predict(x) as tf.Tensor);
 */
export function distillationLoss(task: LossFunction, o: { temperature: number; alpha: number }): TeacherLoss {
  const { temperature: t, alpha } = o;
  return (yTrue, yPred, teacherPred) =>
    tf.tidy(() => {
      const logits = (p: tf.Tensor) => tf.div(tf.log(tf.clipByValue(p, 1e-7, 1)), t);
      const target = tf.softmax(logits(teacherPred));
      const kl = tf.sum(
        tf.mul(target, tf.sub(tf.log(tf.clipByValue(target, 1e-12, 1)), tf.logSoftmax(logits(yPred)))),
        -1,
      );
      const soft = tf.mul(kl, alpha * t * t);
      return alpha === 1 ? soft : tf.add(soft, tf.mul(task(yTrue, yPred), 1 - alpha));
    });
}
