import * as tf from '@tensorflow/tfjs';
import { clearPruning, getWeightVariable, readWeight, writeWeight } from '../pruning/index.js';
import type { WeightRef } from '../schemes/scheme.js';
import { InvalidArgumentError } from '../errors.js';
import { reestimateBatchNorm } from './batchnorm.js';
import { LCState } from './lc-state.js';
import type { SavedState } from './method-state.js';
import type { RecoveryOptimizer } from './recovery-optimizer.js';
import type { Run } from './run.js';
import { exponentialLr, intervalLr, type LrSchedule } from '../training/schedules.js';
import {
  checkCount,
  checkOptimizerKind,
  checkRate,
  optimizerOptions,
  type TrainingOptions,
} from './training-options.js';
import { restoreSnapshot } from './snapshot.js';

/** Options of the L-C optimizer (names follow Condensa's). */
export interface LCOptions extends TrainingOptions {
  /** Outer L-C steps; step 0 is plain direct compression (default 8). */
  steps?: number;
  /** Learning rate at the end of every L step (geometric decay from `lr`; default 1e-3). */
  lrEnd?: number;
  /** Instead of `lrEnd`: multiply the rate by this every minibatch within an L step. */
  lrDecay?: number;
  /** Full control: the schedule of L step `j` (1-based) with `n` minibatches. */
  lrSchedule?: (n: number, j: number) => LrSchedule;
  /** The starting rate of L step j is `lr * lrMultiplier^(j - 1)` (default 1). */
  lrMultiplier?: number;
  /** Minibatches in the first L step (default 500). */
  firstLIterations?: number;
  /** Minibatches in each later L step (default 250). */
  perLIterations?: number;
  /** Penalty weight after the first C step (default 0.5). */
  muInit?: number;
  /** Growth of mu per step (default 1.6). */
  muMultiplier?: number;
  /** mu stops growing once above this (default 1e4). */
  muCap?: number;
  /**
   * Masked fine-tuning of the best compressed model after the L-C steps, in minibatches
   * (default 500; 0 = off: pure L-C as in Condensa). Runs as one extra outer step; the result is kept only if its validation
   * loss beats the best L-C model.
   */
  fineTuneIterations?: number;
}

const defaults = {
  steps: 8,
  lr: 0.05,
  lrEnd: 1e-3,
  lrMultiplier: 1,
  momentum: 0.9,
  weightDecay: 0,
  optimizer: 'sgd' as const,
  batchSize: 128,
  firstLIterations: 500,
  perLIterations: 250,
  muInit: 0.5,
  muMultiplier: 1.6,
  muCap: 1e4,
  bnImages: 2048,
  fineTuneIterations: 500,
};

/**
 * Condensa's learning-compression (L-C) optimizer (Carreira-Perpiñán's augmented-Lagrangian
 * method). Each outer step j alternates an L step, minibatch training of the full weights w on
 * the task loss plus `mu/2 ||w - theta||^2 - lambda^T (w - theta)` over the weights the scheme
 * compresses, and a C step, `theta = pi(w - lambda/mu)`; the compressed theta of each step is
 * evaluated on validation data, the one with the lowest validation LOSS is returned, the
 * multipliers follow `lambda -= mu (w - theta)`, the optimizer state is reset, and mu grows
 * geometrically (`muInit`, `muMultiplier`, capped by `muCap`). Step 0 has no L step (mu = 0),
 * so it is direct compression. Options are validated at construction (typed errors).
 *
 * Defaults and their trade-off. Condensa trains ~360 epochs on CIFAR-10 (35 steps, 30000 then
 * 3000 minibatches, mu 1e-3 x 1.1 per step). The penalty pulls w towards theta with a time
 * constant of about `1 / (lr_eff * mu)` minibatches (lr_eff = lr / (1 - momentum)), so with
 * mu ~1e-3 it takes ~1e4 minibatches to matter: on a CPU budget of a few thousand minibatches
 * the weights never approach the compressed set (measured with Condensa's code: best model
 * from step 1 or 2, -27 points for 90% pruning of seedNet). The defaults here are sized for
 * minutes on a CPU: 8 steps of 500 then 250 minibatches of 128, lr 0.05 decaying to 1e-3 within
 * every L step, mu 0.5 x 1.6 per step (the pull acts within the first L step, mu ~13 at the
 * last), BatchNorm statistics of every compressed candidate re-estimated on 2048 training
 * images (forward only; worth up to 10 points after heavy pruning), and 500 minibatches of
 * masked fine-tuning of the best candidate at the end (kept only if it wins on validation).
 * About 2500 minibatches, ~6 CIFAR-10 epochs: for seedNet (width 0.25) a minibatch of 128 takes
 * 0.65 s on the wasm backend with 2 threads on an idle 2-core machine, so ~30 minutes there;
 * proportionally less with more cores or tfjs-node. Scale `firstLIterations`/`perLIterations`/
 * `fineTuneIterations` to your budget.
 *
 * Where the numbers come from (docs/experiments.md): on the pretrained CIFAR-10 seedNet,
 * Prune(0.1) at 1000 minibatches, lr 0.05 with mu 0.5 x 1.6 lost 3.9 points and lr 0.01 with
 * mu 0.1 x 1.5 lost 5.0; on the pretrained MNIST LeNet-5 (1150 minibatches of 64) lr 0.05 with
 * mu 0.5 x 1.6 lost 0.8 points and lr 0.01 with mu 0.3 x 1.5 lost 1.6. On seedNet, masked
 * fine-tuning (`FineTune`) after direct compression did as well or better at every budget
 * measured: Prune(0.1) at 3200 minibatches lost 1.87 points with distilled L-C and 1.58 with
 * distilled fine-tuning, and FilterPrune(0.5) lost 5.25 with L-C and 2.39 with fine-tuning (a
 * structured cut whose one-shot model keeps a quarter of its accuracy: the L steps spend the
 * budget on weights the C step discards). Prefer `FineTune` for structured schemes.
 *
 * @example
 * ```ts
 * const lc = new LC({ steps: 5, firstLIterations: 200, perLIterations: 100 });
 * const { model } = await new Compressor({ model: dense, scheme: new Prune(0.1), optimizer: lc,
 *   trainData, valData, loss: 'categoricalCrossentropy' }).run();
 * ```
 */
export class LC implements RecoveryOptimizer {
  readonly name = 'LC';
  readonly options: Required<Omit<LCOptions, 'lrDecay' | 'lrSchedule'>> &
    Pick<LCOptions, 'lrDecay' | 'lrSchedule'>;

  constructor(options: LCOptions = {}) {
    this.options = { ...defaults, ...options };
    const o = this.options;
    checkOptimizerKind('LC', o.optimizer);
    checkCount('LC steps', o.steps, 1);
    checkCount('LC firstLIterations', o.firstLIterations);
    checkCount('LC perLIterations', o.perLIterations);
    checkCount('LC batchSize', o.batchSize, 1);
    checkCount('LC bnImages', o.bnImages);
    checkCount('LC fineTuneIterations', o.fineTuneIterations);
    for (const k of ['lr', 'lrEnd', 'lrMultiplier', 'muInit', 'muMultiplier', 'muCap'] as const)
      checkRate(`LC ${k}`, o[k]);
    if (o.lrDecay !== undefined) checkRate('LC lrDecay', o.lrDecay);
  }

  toJSON(): Record<string, unknown> {
    const { lrSchedule, ...rest } = this.options;
    return { name: this.name, ...rest, lrSchedule: lrSchedule ? 'custom' : undefined };
  }

  plan(): { steps: number; iterations: number } {
    const o = this.options;
    const lIterations = o.steps > 1 ? o.firstLIterations + (o.steps - 2) * o.perLIterations : 0;
    const ft = o.fineTuneIterations > 0 ? 1 : 0;
    return { steps: o.steps + ft, iterations: lIterations + o.fineTuneIterations };
  }

  async start(run: Run): Promise<void> {
    const zeros = this.targets(run, run.model).map((r) =>
      tf.zerosLike(getWeightVariable(r.layer, r.name).read()),
    );
    run.setState(new LCState(0, zeros));
  }

  loadState(saved: SavedState): LCState {
    return LCState.load(saved);
  }

  // The run's state, which `start` or `loadState` made an LCState.
  private state(run: Run): LCState {
    if (!(run.state instanceof LCState)) {
      throw new InvalidArgumentError('LC.step needs the state LC.start sets up; call start(run) first');
    }
    return run.state;
  }

  private targets(run: Run, model: tf.LayersModel): WeightRef[] {
    return run.scheme.targets(model);
  }

  /** Schedule of L step j (1-based) with n minibatches. */
  lrFor(n: number, j: number): LrSchedule {
    const o = this.options;
    if (o.lrSchedule) return o.lrSchedule(n, j);
    const start = o.lr * o.lrMultiplier ** (j - 1);
    return o.lrDecay !== undefined
      ? exponentialLr(start, o.lrDecay)
      : intervalLr(start, Math.min(o.lrEnd, start), n);
  }

  async step(run: Run, j: number): Promise<void> {
    if (j >= this.options.steps) return this.fineTune(run);
    const o = this.options;
    const state = this.state(run);
    const mu = state.mu;
    const refs = this.targets(run, run.model);
    let trainLoss: number | null = null;
    let lr = 0;
    let iterations = 0;
    if (j > 0) {
      iterations = j === 1 ? o.firstLIterations : o.perLIterations;
      const schedule = this.lrFor(iterations, j);
      lr = schedule(0) * run.lrScale;
      const index = new Map(
        refs.map((r, k) => [(getWeightVariable(r.layer, r.name).read() as tf.Variable).name, k]),
      );
      const { theta, lambda } = state;
      trainLoss = await run.train(run.model, {
        iterations,
        batchSize: o.batchSize,
        lr: schedule,
        optimizer: optimizerOptions(o),
        // Gradient of the augmented-Lagrangian terms: mu (w - theta) - lambda.
        extraGradient: (v) => {
          const k = index.get(v.name);
          if (k === undefined || mu === 0) return null;
          return tf.sub(tf.mul(tf.sub(v, theta[k]), mu), lambda[k]);
        },
      });
    }

    // C step on a copy of w (weights and BatchNorm statistics).
    const thetaModel = run.auxModel('theta');
    clearPruning(thetaModel);
    thetaModel.setWeights(run.model.getWeights());
    const thetaRefs = this.targets(run, thetaModel);
    if (mu > 0) {
      thetaRefs.forEach((r, k) => {
        const shifted = tf.tidy(() =>
          tf.sub(readWeight(refs[k].layer, refs[k].name), tf.div(state.lambda[k], mu)),
        );
        writeWeight(r.layer, r.name, shifted);
        shifted.dispose();
      });
    }
    run.scheme.pi(thetaModel);
    if (o.bnImages > 0) await reestimateBatchNorm(thetaModel, run.config.trainData, { images: o.bnImages });
    const { val, test } = await run.evaluateCandidate(thetaModel);
    const density = run.density(thetaModel);
    run.scheme.delta(thetaModel);
    const thetaValues = thetaRefs.map((r) => readWeight(r.layer, r.name));
    state.setTheta(thetaValues);
    if (mu > 0) {
      const next = refs.map((r, k) =>
        tf.tidy(() =>
          tf.sub(state.lambda[k], tf.mul(tf.sub(readWeight(r.layer, r.name), thetaValues[k]), mu)),
        ),
      );
      state.setLambda(next);
    }
    const lambdaNorm = tf.tidy(() =>
      Math.sqrt(state.lambda.reduce((s, l) => s + tf.sum(tf.square(l)).dataSync()[0], 0)),
    );
    run.resetOptimizer();
    run.record({ lr, mu, trainLoss, iterations, val, test, density, extra: { lambdaNorm } });
    state.mu = mu === 0 ? o.muInit : mu > o.muCap ? mu : mu * o.muMultiplier;
  }

  /** Extra final step: masked fine-tuning of the best compressed model, then pi again. */
  private async fineTune(run: Run): Promise<void> {
    const o = this.options;
    const tuned = run.auxModel('theta');
    if (run.best.snapshot) restoreSnapshot(tuned, run.best.snapshot);
    const schedule = intervalLr(o.lr, Math.min(o.lrEnd, o.lr), o.fineTuneIterations);
    run.resetOptimizer();
    const trainLoss = await run.train(tuned, {
      iterations: o.fineTuneIterations,
      batchSize: o.batchSize,
      lr: schedule,
      optimizer: optimizerOptions(o),
    });
    // pi again: a no-op for pruning (masks were enforced), re-quantises quantized weights.
    run.scheme.pi(tuned);
    if (o.bnImages > 0) await reestimateBatchNorm(tuned, run.config.trainData, { images: o.bnImages });
    const { val, test } = await run.evaluateCandidate(tuned);
    run.record({
      lr: schedule(0) * run.lrScale,
      trainLoss,
      iterations: o.fineTuneIterations,
      val,
      test,
      density: run.density(tuned),
      extra: { fineTune: 1 },
    });
  }

  async finish(run: Run): Promise<tf.LayersModel> {
    return run.bestModel();
  }
}
