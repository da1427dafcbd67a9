import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { Data } from '../training/batch-stream.js';
import {
  distillationLoss,
  distillationSettings,
  type DistillationOptions,
} from '../training/distillation.js';
import type { Regularizer } from '../training/loop.js';
import { resolveLoss, type LossSpec } from '../training/loss.js';
import type { RecoveryOptimizer } from '../optimizers/recovery-optimizer.js';
import { Run, disposeCapture, type RunCapture, type RunEvent, type StepStats } from '../optimizers/run.js';
import { DivergenceError, RunAborted } from '../training/signals.js';
import { cloneModel, disposeModel } from '../optimizers/snapshot.js';
import { evaluate, type Evaluation } from '../training/evaluate.js';
import type { SchemeReport } from '../schemes/report.js';
import { calibrate } from '../schemes/calibrate.js';
import { penaltyRegularizer, type RegularizerSpec } from '../training/regularizer.js';
import type { Scheme } from '../schemes/scheme.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { searchThenCompress, wantsSearch } from './search.js';
import type { CompressorSearchOptions, SearchReport } from './search-options.js';

/**
 * Options of a `Compressor`. The search options (`objective`, `eps`, `budget`,
 * `searchOptimizer`, `mode`, `runDir`, `searchRange`) are documented in `CompressorSearchOptions`.
 */
export interface CompressorOptions extends CompressorSearchOptions {
  /** The trained model to compress; never modified (the run works on a clone). */
  model: tf.LayersModel;
  scheme: Scheme;
  optimizer: RecoveryOptimizer;
  trainData: Data;
  /** Validation data: selects the best compressed model. */
  valData: Data;
  /** Test data: reported only (never used for selection). */
  testData?: Data;
  /** A tfjs loss name (`'categoricalCrossentropy'`, ...) or a per-example loss function. */
  loss: LossSpec;
  /**
   * Knowledge distillation during every training minibatch of the run (search samples too):
   * `true` or options; the teacher defaults to the dense input model. The validation loss that
   * selects the best model stays the task loss. Costs one teacher forward pass per minibatch.
   */
  distill?: boolean | DistillationOptions;
  /**
   * An extra loss term added to every training minibatch of the run, search samples included:
   * a function (`Regularizer`) or an L1 / L2 / group-lasso / BN-scale penalty spec (see `penalty`),
   * so that the filters pruning removes are small by then. Validation loss, which selects the best
   * model, stays the task loss.
   */
  regularizer?: Regularizer | RegularizerSpec;
  /** Metrics reported besides loss; accuracy is the only one (and the default). */
  metrics?: Array<'accuracy'>;
  /** Progress events: per minibatch, per step, divergences, resumes. */
  onEvent?: (e: RunEvent) => void;
  /** Aborting returns the best model so far (the run resolves normally with `aborted: true`). */
  signal?: AbortSignal;
  /** Save state after every outer step here, and resume from it when present. */
  checkpointDir?: string;
  /** Seed of the minibatch order (default 0). */
  seed?: number;
  /** Test-set evaluation after every step (default) or once at the end. */
  testEvery?: 'step' | 'end';
  /** Divergences tolerated before the run stops (default 3). */
  maxDivergences?: number;
  evalBatchSize?: number;
}

/** What `Compressor.run()` resolves to. */
export interface CompressionResult {
  /** The compressed model (new; the caller owns and disposes it). */
  model: tf.LayersModel;
  /** One entry per completed outer step (including steps from a resumed checkpoint). */
  stats: StepStats[];
  /** The final model on validation and (if given) test data. */
  val: Evaluation;
  test: Evaluation | null;
  /** The step whose model was returned (best on validation loss), or -1 if none completed. */
  bestStep: number;
  /** True when the signal stopped the run early. */
  aborted: boolean;
  /** Step the run started from (> 0 after a resume). */
  resumedFrom: number;
  /** The sparsity search's samples and choice, when the Compressor searched the density. */
  search?: SearchReport;
  /**
   * What the scheme's last `pi` of the final run did: layers compressed with their densities,
   * layers skipped and why, warnings (absent when this process never ran `pi`, e.g. a run resumed
   * at its end, or a user scheme that does not report).
   */
  schemeReport?: SchemeReport;
}

/**
 * Compress a model with a scheme and recover accuracy with a recovery optimizer, as Condensa's
 * `Compressor`: clones the input, runs the optimizer's outer steps on the clone, evaluates each
 * step's compressed candidate, and returns the best one with per-step statistics.
 *
 * Robustness: with `checkpointDir` the full state (weights, masks, multipliers, mu, data order,
 * optimizer state, stats) is written atomically after every step and a later `run()` with the
 * same directory continues from it, ending with the same weights as an uninterrupted run. A
 * NaN/Inf loss rolls the step back to the last good state and halves the learning rate; after
 * `maxDivergences` such events the run throws a `DivergenceError` carrying the best model so far.
 *
 * Sparsity search (Condensa's `objective`/`eps`): a scheme without a density, or an
 * `objective`, makes `run()` search the density first (`searchThenCompress`: cheap proxy
 * compressions within `budget`, then the main optimizer at the chosen density); the result
 * then carries `search`. A scheme with a density and no objective is compressed as given.
 *
 * @example
 * ```ts
 * const { model, stats } = await new Compressor({
 *   model: dense, scheme: new Prune(0.1), optimizer: new LC({ steps: 5 }),
 *   trainData, valData, testData, loss: 'categoricalCrossentropy',
 *   onEvent: (e) => e.type === 'step' && console.log(e.stats.val),
 * }).run();
 * ```
 */
export class Compressor {
  readonly options: CompressorOptions;
  /** The validated distillation settings and teacher (null without `distill`). */
  private readonly distill: { temperature: number; alpha: number; teacher: tf.LayersModel } | null = null;

  constructor(options: CompressorOptions) {
    if (!options.model || !options.scheme || !options.optimizer) {
      throw new InvalidArgumentError('Compressor needs model, scheme and optimizer');
    }
    if (!options.trainData || !options.valData) {
      throw new InvalidArgumentError(
        'Compressor needs trainData and valData ({ xs, ys } tensors or a tf.data.Dataset)',
      );
    }
    resolveLoss(options.loss);
    if (options.distill) {
      const d = options.distill === true ? {} : options.distill;
      this.distill = { ...distillationSettings(d), teacher: d.teacher ?? options.model };
    }
    for (const m of options.metrics ?? []) {
      if (m !== 'accuracy')
        throw new InvalidArgumentError(`unsupported metric '${String(m)}'; accepted: accuracy`);
    }
    const maxDiv = options.maxDivergences ?? 3;
    if (!(Number.isInteger(maxDiv) && maxDiv >= 1)) {
      throw new InvalidArgumentError(`maxDivergences must be an integer >= 1, got ${maxDiv}`);
    }
    this.options = options;
  }

  /**
   * The scheme to apply. Hook for the sparsity search: a subclass (or the integrator's
   * `objective`/`eps`/`budget` options) can choose the scheme here before the run starts.
   */
  protected async resolveScheme(): Promise<Scheme> {
    return this.options.scheme;
  }

  /** A string identifying the run's settings: checkpoints only resume an identical run. */
  fingerprint(scheme: Scheme): string {
    return JSON.stringify({
      scheme: scheme.toJSON(),
      optimizer: this.options.optimizer.toJSON(),
      seed: this.options.seed ?? 0,
      // undefined without distillation: fingerprints of earlier runs stay valid.
      distill: this.distill
        ? {
            temperature: this.distill.temperature,
            alpha: this.distill.alpha,
            teacher: this.distill.teacher === this.options.model ? 'input' : this.distill.teacher.name,
          }
        : undefined,
      layers: this.options.model.layers.map((l) => l.name),
      // A function has no JSON form: note only that one was used (undefined keeps old prints).
      regularizer: this.options.regularizer ? 'custom' : undefined,
    });
  }

  async run(): Promise<CompressionResult> {
    if (wantsSearch(this.options)) {
      return searchThenCompress(this.options, (scheme, optimizer, final) =>
        this.compressWith(scheme, optimizer, final),
      );
    }
    return this.compressWith(await this.resolveScheme(), this.options.optimizer, true);
  }

  /**
   * Compress a clone with `scheme` and `optimizer`. Search samples (`final` false) run without
   * checkpoints, progress events or test evaluation.
   */
  protected async compressWith(
    scheme: Scheme,
    optimizer: RecoveryOptimizer,
    final: boolean,
  ): Promise<CompressionResult> {
    const o = final
      ? { ...this.options, optimizer }
      : {
          ...this.options,
          optimizer,
          testData: undefined,
          onEvent: undefined,
          checkpointDir: undefined,
        };
    const loss = resolveLoss(o.loss);
    const d = this.distill;
    const teacher = d ? { model: d.teacher, loss: distillationLoss(loss, d) } : undefined;
    // A data-driven importance with no calibration data ranks on the first training examples.
    const calibrated = isTensorData(o.trainData) ? calibrate(scheme, o.trainData) : scheme;
    const run = new Run({
      model: cloneModel(o.model),
      scheme: calibrated,
      trainData: o.trainData,
      valData: o.valData,
      testData: o.testData,
      loss,
      teacher,
      regularizer: asRegularizer(o.regularizer),
      seed: o.seed ?? 0,
      testEvery: o.testEvery,
      evalBatchSize: o.evalBatchSize,
      signal: o.signal,
      emit: o.onEvent,
    });
    const fingerprint = this.fingerprint(scheme);
    let good: RunCapture | null = null;
    const loadState = o.optimizer.loadState?.bind(o.optimizer);
    const restore = (c: RunCapture) => run.restore(c, loadState);
    try {
      run.plan = o.optimizer.plan(run);
      const saved = o.checkpointDir ? await readCheckpoint(o.checkpointDir, fingerprint) : null;
      if (saved) {
        restore(saved);
        run.resumeClock(saved.meta.elapsedMs as number);
        good = saved;
        o.onEvent?.({ type: 'resume', step: run.step });
      } else {
        await o.optimizer.start(run);
      }
      const resumedFrom = run.step;
      let aborted = false;
      let divergences = run.divergences;
      while (run.step < run.plan.steps) {
        if (o.signal?.aborted) {
          aborted = true;
          break;
        }
        good ??= run.capture();
        try {
          await o.optimizer.step(run, run.step);
        } catch (e) {
          if (e instanceof RunAborted) {
            restore(good);
            aborted = true;
            break;
          }
          if (!(e instanceof DivergenceError)) throw e;
          divergences++;
          const message = e.message;
          const halved = run.lrScale / 2;
          restore(good);
          run.divergences = divergences;
          if (divergences >= (o.maxDivergences ?? 3)) {
            throw new DivergenceError(
              `the run diverged ${divergences} times (last: ${message}); stopped at step ${run.step}. ` +
                'The error carries the best model so far in `.model`; lower the learning rate or mu.',
              run.bestModel(),
            );
          }
          run.session.lrScale = halved;
          o.onEvent?.({
            type: 'divergence',
            step: run.step,
            count: divergences,
            lrScale: run.lrScale,
            message,
          });
          continue;
        }
        run.step++;
        disposeCapture(good);
        good = run.capture();
        if (o.checkpointDir) await writeCheckpoint(o.checkpointDir, fingerprint, good);
      }
      const model = await o.optimizer.finish(run);
      const bs = o.evalBatchSize ?? 256;
      const val = await evaluate(model, o.valData, loss, { batchSize: bs });
      const test = o.testData ? await evaluate(model, o.testData, loss, { batchSize: bs }) : null;
      return {
        model,
        stats: run.stats,
        val,
        test,
        bestStep: run.best.snapshot ? run.best.step : -1,
        aborted,
        resumedFrom,
        ...(scheme.lastReport ? { schemeReport: scheme.lastReport } : {}),
      };
    } finally {
      if (good) disposeCapture(good);
      run.dispose();
      disposeModel(run.model);
    }
  }
}

/** Whether training data is whole tensors (usable as calibration) rather than a tf.data stream. */
function isTensorData(d: Data): d is { xs: tf.Tensor; ys: tf.Tensor } {
  return (d as { xs?: unknown }).xs instanceof tf.Tensor;
}

/** A penalty spec as the training loop's loss term (a function is used as it is). */
function asRegularizer(r: Regularizer | RegularizerSpec | undefined): Regularizer | undefined {
  if (r === undefined || typeof r === 'function') return r;
  return penaltyRegularizer(r);
}
