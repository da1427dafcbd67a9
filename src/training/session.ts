import * as tf from '@tensorflow/tfjs';
import { BatchStream, type Data, type StreamState } from './batch-stream.js';
import type { TeacherLoss } from './distillation.js';
import { GradientOptimizer, type GradientOptimizerOptions } from './gradient-optimizer.js';
import { trainIterations, type IterationReport, type Regularizer } from './loop.js';
import type { LossFunction } from './loss.js';
import type { LrSchedule } from './schedules.js';

/** What a training session trains on and with. */
export interface SessionConfig {
  trainData: Data;
  loss: LossFunction;
  /** Train against this teacher's soft predictions. */
  teacher?: { model: tf.LayersModel; loss: TeacherLoss };
  /** An extra loss term added to every minibatch's loss (see `Regularizer`). */
  regularizer?: Regularizer;
  /** Seed of the minibatch order. */
  seed: number;
  signal?: AbortSignal;
}

/** One `train` call of a session. */
export interface SessionTrainOptions {
  iterations: number;
  batchSize: number;
  lr: LrSchedule;
  optimizer: GradientOptimizerOptions;
  extraGradient?: (v: tf.Variable) => tf.Tensor | null;
  /** A loss term for this call only, added to the session's own regularizer if it has one. */
  regularizer?: Regularizer;
  /** Called per iteration with the session's count of iterations done so far included. */
  onIteration?: (report: IterationReport, done: number) => void;
}

/** A session's resumable state: JSON plus the optimizer's slot tensors (flattened). */
export interface SessionState {
  iterationsDone: number;
  lrScale: number;
  stream: StreamState | null;
  optimizer: { t: number; slotCounts: number[] } | null;
}

/**
 * The state that lives across calls of the training loop within one run: the resumable
 * minibatch stream, the gradient optimizer's momentum / moments, the learning-rate scale (halved
 * after each divergence) and the count of iterations done (for progress and ETA). `state()` /
 * `restore()` move it to and from plain data and tensors, for checkpoints and rollbacks.
 *
 * @example
 * ```ts
 * const session = new TrainingSession({ trainData: { xs, ys }, loss: resolveLoss('categoricalCrossentropy'), seed: 0 });
 * await session.train(model, { iterations: 100, batchSize: 32, lr: constantLr(0.01), optimizer: { kind: 'sgd' } });
 * session.dispose();
 * ```
 */
export class TrainingSession {
  iterationsDone = 0;
  /** Multiplier on every learning rate; halved after each divergence. */
  lrScale = 1;
  private stream: BatchStream | null = null;
  private streamBatch = 0;
  private pendingStream: StreamState | null = null;
  private optimizer: GradientOptimizer | null = null;
  private optimizerKey = '';
  private pendingOptimizer: { t: number; slots: tf.Tensor[][] } | null = null;

  constructor(readonly config: SessionConfig) {}

  /** The training minibatch stream (one per session; a new batch size starts a new one). */
  async batches(batchSize: number): Promise<BatchStream> {
    if (!this.stream || this.streamBatch !== batchSize) {
      this.stream = new BatchStream(this.config.trainData, { batchSize, seed: this.config.seed });
      this.streamBatch = batchSize;
    }
    if (this.pendingStream) {
      await this.stream.restore(this.pendingStream);
      this.pendingStream = null;
    }
    return this.stream;
  }

  /** The session's gradient optimizer (created on first use, state restored after a resume). */
  gradientOptimizer(opts: GradientOptimizerOptions): GradientOptimizer {
    const key = JSON.stringify(opts);
    if (!this.optimizer || this.optimizerKey !== key) {
      this.optimizer?.dispose();
      this.optimizer = new GradientOptimizer(opts);
      this.optimizerKey = key;
    }
    if (this.pendingOptimizer) {
      this.optimizer.setState(this.pendingOptimizer);
      this.dropPendingOptimizer();
    }
    return this.optimizer;
  }

  /**
   * Train `model` for `opts.iterations` minibatches of the session's stream with masks enforced;
   * the learning rate is `lr(i) * lrScale`. Resolves to the mean loss (NaN for 0 iterations).
   */
  async train(model: tf.LayersModel, opts: SessionTrainOptions): Promise<number> {
    if (opts.iterations <= 0) return NaN;
    const stream = await this.batches(opts.batchSize);
    const optimizer = this.gradientOptimizer(opts.optimizer);
    const scale = this.lrScale;
    const doneBefore = this.iterationsDone;
    const mean = await trainIterations(model, {
      stream,
      loss: this.config.loss,
      teacher: this.config.teacher,
      regularizer: combine(this.config.regularizer, opts.regularizer),
      optimizer,
      iterations: opts.iterations,
      lr: (t) => opts.lr(t) * scale,
      extraGradient: opts.extraGradient,
      signal: this.config.signal,
      onIteration: (r) => opts.onIteration?.(r, doneBefore + r.iteration + 1),
    });
    this.iterationsDone = doneBefore + opts.iterations;
    return mean;
  }

  /** Forget the optimizer's momentum / moments. */
  resetOptimizer(): void {
    this.optimizer?.reset();
    this.dropPendingOptimizer();
  }

  /** A copy of the state (the caller owns `slots`). */
  state(): { json: SessionState; slots: tf.Tensor[] } {
    const opt = this.pendingOptimizer
      ? { t: this.pendingOptimizer.t, slots: this.pendingOptimizer.slots.map((s) => s.map((x) => x.clone())) }
      : this.optimizer?.getState();
    return {
      json: {
        iterationsDone: this.iterationsDone,
        lrScale: this.lrScale,
        stream: this.pendingStream ?? this.stream?.state() ?? null,
        optimizer: opt ? { t: opt.t, slotCounts: opt.slots.map((s) => (s ? s.length : 0)) } : null,
      },
      slots: opt ? opt.slots.flat() : [],
    };
  }

  /** Continue from `state` (the slot tensors are copied; the caller still owns them). */
  restore(state: SessionState, slots: tf.Tensor[]): void {
    this.iterationsDone = state.iterationsDone;
    this.lrScale = state.lrScale;
    this.pendingStream = state.stream;
    this.optimizer?.reset();
    this.dropPendingOptimizer();
    if (state.optimizer) {
      let k = 0;
      const nested = state.optimizer.slotCounts.map((n) =>
        slots.slice(k, (k += n)).map((t) => tf.keep(t.clone())),
      );
      this.pendingOptimizer = { t: state.optimizer.t, slots: nested };
    }
  }

  private dropPendingOptimizer(): void {
    if (this.pendingOptimizer) for (const s of this.pendingOptimizer.slots) tf.dispose(s);
    this.pendingOptimizer = null;
  }

  dispose(): void {
    this.optimizer?.dispose();
    this.dropPendingOptimizer();
  }
}

// Both terms when both are given: a run-wide penalty and an optimizer's own add up.
function combine(a: Regularizer | undefined, b: Regularizer | undefined): Regularizer | undefined {
  if (!a || !b) return a ?? b;
  return (model) => tf.add(a(model), b(model)) as tf.Scalar;
}
