import * as tf from '@tensorflow/tfjs';
import { getWeightVariable } from '../pruning/index.js';
import type { Scheme } from '../schemes/scheme.js';
import type { Data } from '../training/batch-stream.js';
import type { TeacherLoss } from '../training/distillation.js';
import { evaluate, type Evaluation } from '../training/evaluate.js';
import type { GradientOptimizerOptions } from '../training/gradient-optimizer.js';
import type { Regularizer } from '../training/loop.js';
import type { LossFunction } from '../training/loss.js';
import type { LrSchedule } from '../training/schedules.js';
import { TrainingSession } from '../training/session.js';
import { DivergenceError } from '../training/signals.js';
import { BestModel } from './best-model.js';
import type { MethodState, SavedState } from './method-state.js';
import { captureRun, restoreRun, type RunCapture } from './run-capture.js';
import type { RunEvent, StepStats } from './run-events.js';
import { cloneModel, disposeModel } from './snapshot.js';

export type { RunEvent, StepStats } from './run-events.js';
export { disposeCapture, type RunCapture } from './run-capture.js';

/** What a Run is built from (the Compressor fills this in). */
export interface RunConfig {
  /** The working model (a clone the run owns and mutates). */
  model: tf.LayersModel;
  scheme: Scheme;
  trainData: Data;
  valData: Data;
  testData?: Data;
  loss: LossFunction;
  /** Train against this teacher's soft predictions (evaluation and selection keep `loss`). */
  teacher?: { model: tf.LayersModel; loss: TeacherLoss };
  /** An extra loss term added to every training minibatch (evaluation keeps `loss`). */
  regularizer?: Regularizer;
  /** Seed of the minibatch order. */
  seed: number;
  /** Evaluate on the test data after every step ('step', default) or only at the end ('end'). */
  testEvery?: 'step' | 'end';
  evalBatchSize?: number;
  signal?: AbortSignal;
  emit?: (e: RunEvent) => void;
}

/**
 * One compression run: the working model and scheme, the training session (the one training
 * loop's stream, optimizer state and learning-rate scale), the best candidate on validation,
 * the recovery method's typed state, per-step statistics and progress events. `capture()` /
 * `restore()` move all of it to and from checkpoint data, which the Compressor uses for
 * checkpoints and for rolling back a diverged step.
 */
export class Run {
  readonly model: tf.LayersModel;
  readonly scheme: Scheme;
  readonly config: RunConfig;
  readonly session: TrainingSession;
  readonly best = new BestModel();
  step = 0;
  divergences = 0;
  stats: StepStats[] = [];
  /** The recovery method's state (set by its `start`, rebuilt by its `loadState`). */
  state: MethodState | null = null;
  /** Filled in by the driver: outer steps and total iterations, for ETA. */
  plan = { steps: 1, iterations: 0 };
  private aux = new Map<string, tf.LayersModel>();
  private clockStart = Date.now();
  private elapsedBefore = 0;
  /** Iterations done when this process started (ETA counts only this session's speed). */
  sessionStartIterations = 0;

  constructor(config: RunConfig) {
    this.config = config;
    this.model = config.model;
    this.scheme = config.scheme;
    this.session = new TrainingSession(config);
  }

  /** Multiplier on every learning rate; halved after each divergence. */
  get lrScale(): number {
    return this.session.lrScale;
  }

  elapsedMs(): number {
    return this.elapsedBefore + (Date.now() - this.clockStart);
  }

  /**
   * Train `model` (the working model, or another model of the run) for `iterations` minibatches
   * with masks enforced, emitting iteration events. The learning rate is `lr(i) * lrScale`.
   */
  async train(
    model: tf.LayersModel,
    opts: {
      iterations: number;
      batchSize: number;
      lr: LrSchedule;
      optimizer: GradientOptimizerOptions;
      extraGradient?: (v: tf.Variable) => tf.Tensor | null;
      regularizer?: Regularizer;
    },
  ): Promise<number> {
    return this.session.train(model, {
      ...opts,
      onIteration: ({ iteration, loss, lr }, done) =>
        this.config.emit?.({
          type: 'iteration',
          step: this.step,
          steps: this.plan.steps,
          iteration,
          iterations: opts.iterations,
          loss,
          lr,
          eta: this.eta(done),
        }),
    });
  }

  /** Forget the optimizer's momentum / moments. */
  resetOptimizer(): void {
    this.session.resetOptimizer();
  }

  /**
   * A scratch model with the working model's architecture, created (as a clone) on first use
   * and disposed with the run: e.g. L-C's compressed copy theta.
   */
  auxModel(name: string): tf.LayersModel {
    let m = this.aux.get(name);
    if (!m) {
      m = cloneModel(this.model);
      this.aux.set(name, m);
    }
    return m;
  }

  /** A new model (the caller owns it) holding the best snapshot, or the working model if none. */
  bestModel(): tf.LayersModel {
    return this.best.model(this.model);
  }

  /** Seconds left, extrapolated from iterations done so far in this session. */
  eta(done: number): number | null {
    const total = this.plan.iterations;
    const sessionDone = done - this.sessionStartIterations;
    if (sessionDone <= 0 || total <= 0) return null;
    const perIteration = (Date.now() - this.clockStart) / 1000 / sessionDone;
    return Math.max(0, (total - done) * perIteration);
  }

  /** Density (non-zero fraction) of each scheme target of `model`, keyed `layer/weight`. */
  density(model: tf.LayersModel): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { layer, name } of this.scheme.targets(model)) {
      const v = getWeightVariable(layer, name).read();
      const nz = tf.tidy(() => tf.sum(tf.cast(tf.notEqual(v, 0), 'float32')).dataSync()[0]);
      out[`${layer.name}/${name}`] = nz / v.size;
    }
    return out;
  }

  /**
   * Evaluate a candidate compressed model on validation (and test) data and keep a snapshot of
   * it when its validation loss is the best so far. A non-finite validation loss is a divergence.
   */
  async evaluateCandidate(model: tf.LayersModel): Promise<{ val: Evaluation; test: Evaluation | null }> {
    const bs = this.config.evalBatchSize ?? 256;
    const val = await evaluate(model, this.config.valData, this.config.loss, { batchSize: bs });
    if (!Number.isFinite(val.loss)) {
      throw new DivergenceError(`validation loss is ${val.loss} at step ${this.step}`);
    }
    const test =
      this.config.testData && (this.config.testEvery ?? 'step') === 'step'
        ? await evaluate(model, this.config.testData, this.config.loss, { batchSize: bs })
        : null;
    this.best.consider(model, val.loss, this.step);
    return { val, test };
  }

  /** Record a step's statistics and emit its event. */
  record(stats: Omit<StepStats, 'step' | 'elapsedMs'>): StepStats {
    const full: StepStats = { step: this.step, elapsedMs: this.elapsedMs(), ...stats };
    this.stats.push(full);
    this.config.emit?.({
      type: 'step',
      step: this.step,
      steps: this.plan.steps,
      stats: full,
      eta: this.eta(this.session.iterationsDone),
    });
    return full;
  }

  /** Replace the method state (disposing the previous one). */
  setState(state: MethodState | null): void {
    if (this.state !== state) this.state?.dispose();
    this.state = state;
  }

  /** Copy everything needed to continue the run (the caller owns the tensors). */
  capture(): RunCapture {
    return captureRun(this);
  }

  /**
   * Continue from a capture (its tensors are copied; the caller still owns them). `loadState`
   * rebuilds the recovery method's state from its saved form.
   */
  restore(c: RunCapture, loadState?: (saved: SavedState) => MethodState): void {
    restoreRun(this, c, loadState);
  }

  /** Start a new session clock (after restoring from a checkpoint). */
  resumeClock(elapsedMs: number): void {
    this.elapsedBefore = elapsedMs;
    this.clockStart = Date.now();
    this.sessionStartIterations = this.session.iterationsDone;
  }

  dispose(): void {
    for (const m of this.aux.values()) disposeModel(m);
    this.aux.clear();
    this.best.dispose();
    this.setState(null);
    this.session.dispose();
  }
}
