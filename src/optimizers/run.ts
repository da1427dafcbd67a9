import * as tf from '@tensorflow/tfjs';
import { getWeightVariable } from '../pruning/index.js';
import type { Scheme } from '../schemes/scheme.js';
import { BatchStream, type Data, type StreamState } from './data.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { GradientOptimizer, type GradientOptimizerOptions } from './gradient-optimizer.js';
import type { TeacherLoss } from './distillation.js';
import type { LossFunction } from './loss.js';
import type { RegularizerSpec } from '../training/regularizer.js';
import type { LrSchedule } from './schedules.js';
import { DivergenceError } from './signals.js';
import {
  cloneModel,
  disposeModel,
  disposeSnapshot,
  restoreSnapshot,
  takeSnapshot,
  type ModelSnapshot,
} from './snapshot.js';
import { trainIterations } from './train-loop.js';

/** Statistics of one outer step of a run. */
export interface StepStats {
  step: number;
  /** Learning rate at the start of the step's training (0 when the step does not train). */
  lr: number;
  /** L-C penalty weight used in the step's L step (L-C only). */
  mu?: number;
  /** Mean training loss over the step's minibatches (null when the step does not train). */
  trainLoss: number | null;
  /** Minibatch iterations run in this step. */
  iterations: number;
  /** The step's candidate (compressed) model on validation and test data. */
  val: Evaluation | null;
  test: Evaluation | null;
  /** Fraction of non-zero entries of each weight the scheme targets, keyed `layer/weight`. */
  density: Record<string, number>;
  /** Milliseconds since the run started (summed over resumed sessions). */
  elapsedMs: number;
  /** Method-specific values (e.g. L-C's multiplier norm, a pruning round's target density). */
  extra?: Record<string, number>;
}

/** Progress events of a run. `eta` is the estimated seconds left (null until known). */
export type RunEvent =
  | {
      type: 'iteration';
      step: number;
      steps: number;
      iteration: number;
      iterations: number;
      loss: number;
      lr: number;
      eta: number | null;
    }
  | { type: 'step'; step: number; steps: number; stats: StepStats; eta: number | null }
  | { type: 'divergence'; step: number; count: number; lrScale: number; message: string }
  | { type: 'resume'; step: number };

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
  /** Penalty added to the training loss (L1, L2, group lasso, BN scale). */
  regularizer?: RegularizerSpec;
  /** Seed of the minibatch order. */
  seed: number;
  /** Evaluate on the test data after every step ('step', default) or only at the end ('end'). */
  testEvery?: 'step' | 'end';
  evalBatchSize?: number;
  signal?: AbortSignal;
  emit?: (e: RunEvent) => void;
}

/** Everything needed to continue a run: JSON metadata plus named tensor lists. */
export interface RunCapture {
  meta: Record<string, unknown>;
  tensors: Record<string, tf.Tensor[]>;
}

interface MaskRef {
  layer: string;
  name: string;
}

/**
 * The shared state and services of one compression run: the working model, the best model seen
 * on validation, named tensors and scalars that recovery methods keep across steps, the
 * resumable minibatch stream, the gradient optimizer, evaluation and statistics. `capture()` /
 * `restore()` move all of it to and from plain data, which the Compressor uses for checkpoints
 * and for rolling back a diverged step.
 */
export class Run {
  readonly model: tf.LayersModel;
  readonly scheme: Scheme;
  readonly config: RunConfig;
  step = 0;
  scalars: Record<string, number> = {};
  tensors: Record<string, tf.Tensor[]> = {};
  stats: StepStats[] = [];
  best: ModelSnapshot | null = null;
  bestLoss = Infinity;
  /** Filled in by the driver: outer steps and total iterations, for ETA. */
  plan = { steps: 1, iterations: 0 };
  private stream: BatchStream | null = null;
  private streamBatch = 0;
  private pendingStream: StreamState | null = null;
  private optimizer: GradientOptimizer | null = null;
  private optimizerKey = '';
  private pendingOptimizer: { t: number; slots: tf.Tensor[][] } | null = null;
  private aux = new Map<string, tf.LayersModel>();
  private clockStart = Date.now();
  private elapsedBefore = 0;

  constructor(config: RunConfig) {
    this.config = config;
    this.model = config.model;
    this.scheme = config.scheme;
  }

  /** Multiplier on every learning rate; halved after each divergence. */
  get lrScale(): number {
    return this.scalars.lrScale ?? 1;
  }

  elapsedMs(): number {
    return this.elapsedBefore + (Date.now() - this.clockStart);
  }

  /** The training minibatch stream (one per run; its batch size is fixed by the first call). */
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

  /** The run's gradient optimizer (created on first use, state restored after a resume). */
  gradientOptimizer(opts: GradientOptimizerOptions): GradientOptimizer {
    const key = JSON.stringify(opts);
    if (!this.optimizer || this.optimizerKey !== key) {
      this.optimizer?.dispose();
      this.optimizer = new GradientOptimizer(opts);
      this.optimizerKey = key;
    }
    if (this.pendingOptimizer) {
      this.optimizer.setState(this.pendingOptimizer);
      for (const s of this.pendingOptimizer.slots) tf.dispose(s);
      this.pendingOptimizer = null;
    }
    return this.optimizer;
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
    },
  ): Promise<number> {
    if (opts.iterations <= 0) return NaN;
    const stream = await this.batches(opts.batchSize);
    const optimizer = this.gradientOptimizer(opts.optimizer);
    const scale = this.lrScale;
    const doneBefore = this.scalars.iterationsDone ?? 0;
    const mean = await trainIterations(model, {
      stream,
      loss: this.config.loss,
      teacher: this.config.teacher,
      regularizer: this.config.regularizer,
      optimizer,
      iterations: opts.iterations,
      lr: (t) => opts.lr(t) * scale,
      extraGradient: opts.extraGradient,
      signal: this.config.signal,
      onIteration: (iteration, loss, lr) => {
        this.config.emit?.({
          type: 'iteration',
          step: this.step,
          steps: this.plan.steps,
          iteration,
          iterations: opts.iterations,
          loss,
          lr,
          eta: this.eta(doneBefore + iteration + 1),
        });
      },
    });
    this.scalars.iterationsDone = doneBefore + opts.iterations;
    return mean;
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
    const m = cloneModel(this.model);
    if (this.best) restoreSnapshot(m, this.best);
    return m;
  }

  /** Forget the optimizer's momentum / moments. */
  resetOptimizer(): void {
    this.optimizer?.reset();
    if (this.pendingOptimizer) for (const s of this.pendingOptimizer.slots) tf.dispose(s);
    this.pendingOptimizer = null;
  }

  /** Seconds left, extrapolated from iterations done so far in this session. */
  eta(done: number): number | null {
    const total = this.plan.iterations;
    const sessionDone = done - (this.scalars.sessionStartIterations ?? 0);
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
    if (val.loss < this.bestLoss) {
      disposeSnapshot(this.best);
      this.best = takeSnapshot(model);
      this.bestLoss = val.loss;
      this.scalars.bestStep = this.step;
    }
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
      eta: this.eta(this.scalars.iterationsDone ?? 0),
    });
    return full;
  }

  /** Replace a named tensor list (disposing the old one); the run keeps the new tensors. */
  setTensors(name: string, list: tf.Tensor[]): void {
    const old = this.tensors[name];
    this.tensors[name] = list.map((t) => tf.keep(t));
    if (old) tf.dispose(old.filter((t) => !list.includes(t)));
  }

  /** Copy everything needed to continue the run (the caller owns the tensors). */
  capture(): RunCapture {
    const tensors: Record<string, tf.Tensor[]> = {};
    const meta: Record<string, unknown> = {
      step: this.step,
      scalars: { ...this.scalars },
      stats: structuredClone(this.stats),
      bestLoss: Number.isFinite(this.bestLoss) ? this.bestLoss : null,
      elapsedMs: this.elapsedMs(),
      stream: this.pendingStream ?? this.stream?.state() ?? null,
      tensorNames: Object.keys(this.tensors),
    };
    const put = (prefix: string, s: ModelSnapshot): MaskRef[] => {
      tensors[`${prefix}.weights`] = s.weights;
      tensors[`${prefix}.originals`] = s.masks.map((m) => m.original);
      tensors[`${prefix}.masks`] = s.masks.map((m) => m.mask);
      return s.masks.map((m) => ({ layer: m.layer, name: m.name }));
    };
    meta.modelMasks = put('model', takeSnapshot(this.model));
    meta.bestMasks = this.best ? put('best', cloneSnapshot(this.best)) : null;
    for (const [name, list] of Object.entries(this.tensors))
      tensors[`t.${name}`] = list.map((t) => t.clone());
    const opt = this.pendingOptimizer
      ? { t: this.pendingOptimizer.t, slots: this.pendingOptimizer.slots.map((s) => s.map((x) => x.clone())) }
      : this.optimizer?.getState();
    if (opt) {
      meta.optimizer = { t: opt.t, slotCounts: opt.slots.map((s) => (s ? s.length : 0)) };
      tensors['opt.slots'] = opt.slots.flat();
    }
    return { meta, tensors };
  }

  /** Continue from a capture (the capture's tensors are copied; the caller still owns them). */
  restore(c: RunCapture): void {
    const m = c.meta as {
      step: number;
      scalars: Record<string, number>;
      stats: StepStats[];
      bestLoss: number | null;
      elapsedMs: number;
      stream: StreamState | null;
      tensorNames: string[];
      modelMasks: MaskRef[];
      bestMasks: MaskRef[] | null;
      optimizer?: { t: number; slotCounts: number[] };
    };
    const get = (prefix: string, refs: MaskRef[]): ModelSnapshot => ({
      weights: c.tensors[`${prefix}.weights`] ?? [],
      masks: refs.map((r, i) => ({
        ...r,
        original: c.tensors[`${prefix}.originals`][i],
        mask: c.tensors[`${prefix}.masks`][i],
      })),
    });
    this.step = m.step;
    this.scalars = { ...m.scalars };
    this.stats = structuredClone(m.stats);
    this.bestLoss = m.bestLoss ?? Infinity;
    restoreSnapshot(this.model, get('model', m.modelMasks));
    disposeSnapshot(this.best);
    this.best = m.bestMasks ? cloneSnapshot(get('best', m.bestMasks)) : null;
    for (const list of Object.values(this.tensors)) tf.dispose(list);
    this.tensors = {};
    for (const name of m.tensorNames)
      this.tensors[name] = (c.tensors[`t.${name}`] ?? []).map((t) => tf.keep(t.clone()));
    this.pendingStream = m.stream;
    if (this.pendingOptimizer) for (const s of this.pendingOptimizer.slots) tf.dispose(s);
    this.pendingOptimizer = null;
    this.optimizer?.reset();
    if (m.optimizer) {
      const flat = c.tensors['opt.slots'] ?? [];
      let k = 0;
      const slots = m.optimizer.slotCounts.map((n) => flat.slice(k, (k += n)).map((t) => tf.keep(t.clone())));
      this.pendingOptimizer = { t: m.optimizer.t, slots };
    }
  }

  /** Start a new session clock (after restoring from a checkpoint). */
  resumeClock(elapsedMs: number): void {
    this.elapsedBefore = elapsedMs;
    this.clockStart = Date.now();
    this.scalars.sessionStartIterations = this.scalars.iterationsDone ?? 0;
  }

  dispose(): void {
    for (const m of this.aux.values()) disposeModel(m);
    this.aux.clear();
    disposeSnapshot(this.best);
    this.best = null;
    for (const list of Object.values(this.tensors)) tf.dispose(list);
    this.tensors = {};
    this.optimizer?.dispose();
    if (this.pendingOptimizer) for (const s of this.pendingOptimizer.slots) tf.dispose(s);
    this.pendingOptimizer = null;
  }
}

function cloneSnapshot(s: ModelSnapshot): ModelSnapshot {
  return {
    weights: s.weights.map((w) => tf.keep(w.clone())),
    masks: s.masks.map((m) => ({
      ...m,
      original: tf.keep(m.original.clone()),
      mask: tf.keep(m.mask.clone()),
    })),
  };
}

/** Dispose every tensor of a capture. */
export function disposeCapture(c: RunCapture): void {
  for (const list of Object.values(c.tensors)) tf.dispose(list);
}
