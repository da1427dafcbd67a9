import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Compressor } from '../src/compressor/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { disposeModel, intervalLr, LC, type RunEvent } from '../src/optimizers/index.js';
import { applyMask, getMask, getWeightVariable, readWeight } from '../src/pruning/index.js';
import type { Scheme, WeightRef } from '../src/schemes/scheme.js';
import { trackTensors } from './helpers/leaks.js';

/**
 * A real (small) magnitude-pruning scheme for these tests: keeps the `keep` largest |w| of each
 * Dense kernel through the project's pruning state.
 */
class TopKPrune implements Scheme {
  readonly kind = 'TopKPrune';
  constructor(private readonly keep: number) {}
  targets(model: tf.LayersModel): WeightRef[] {
    return model.layers
      .filter((l) => l.getClassName() === 'Dense')
      .map((layer) => ({ layer, name: 'kernel' }));
  }
  pi(model: tf.LayersModel): void {
    for (const { layer, name } of this.targets(model)) {
      const w = readWeight(layer, name);
      const abs = Array.from(w.dataSync(), Math.abs);
      const thr = [...abs].sort((a, b) => b - a)[this.keep - 1];
      const mask = tf.tensor(
        abs.map((a) => (a >= thr ? 1 : 0)),
        w.shape,
      );
      applyMask(layer, name, mask);
      tf.dispose([w, mask]);
    }
  }
  delta(): void {}
  toJSON(): Record<string, unknown> {
    return { scheme: this.kind, keep: this.keep };
  }
}

// Fixed regression data: y = X w* + noise, with a validation set drawn differently.
const X = [
  [1, 0.5, -0.2, 0.1],
  [0.3, -1, 0.4, 0.2],
  [-0.5, 0.2, 1, -0.3],
  [0.8, 0.1, 0.3, 1],
  [-1, -0.4, 0.2, 0.5],
  [0.2, 0.9, -0.7, -0.1],
  [0.6, -0.3, -0.5, 0.4],
  [-0.2, 0.7, 0.6, -0.8],
];
const wStar = [0.9, -0.6, 0.35, 0.3];
const Y = X.map((x, i) => x.reduce((s, v, k) => s + v * wStar[k], 0) + 0.05 * Math.sin(i));
const XV = [
  [0.5, 0.5, 0.5, 0.5],
  [1, -1, 0.2, 0.1],
  [-0.4, 0.3, 0.9, 0.6],
];
const YV = XV.map((x, i) => x.reduce((s, v, k) => s + v * wStar[k], 0) + 0.1 * Math.cos(i));
const w0 = [0.2, 0.1, -0.1, 0.05];

function linearModel(): tf.LayersModel {
  const m = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [4], units: 1, useBias: false, name: 'fc' })],
  });
  tf.tidy(() => m.getLayer('fc').setWeights([tf.tensor2d(w0, [4, 1])]));
  return m;
}

const dot = (a: number[], b: number[]): number => a.reduce((s, v, k) => s + v * b[k], 0);
const mse = (w: number[], xs: number[][], ys: number[]): number =>
  xs.reduce((s, x, i) => s + (dot(x, w) - ys[i]) ** 2, 0) / xs.length;

/** The L-C algorithm of algorithms.md section 3, traced by hand in float64 for this model. */
function referenceLC(o: {
  steps: number;
  first: number;
  per: number;
  lr: number;
  lrEnd: number;
  muInit: number;
  muMult: number;
  muCap: number;
}) {
  let w = [...w0];
  let lambda = [0, 0, 0, 0];
  let theta = [0, 0, 0, 0];
  let mu = 0;
  let best: number[] = [];
  let bestLoss = Infinity;
  let bestStep = -1;
  const trace: Array<{ mu: number; valLoss: number; lambdaNorm: number }> = [];
  for (let j = 0; j < o.steps; j++) {
    if (j > 0) {
      const n = j === 1 ? o.first : o.per;
      const sched = intervalLr(o.lr, o.lrEnd, n);
      for (let i = 0; i < n; i++) {
        const g = [0, 0, 0, 0];
        X.forEach((x, e) => {
          const r = dot(x, w) - Y[e];
          x.forEach((v, k) => (g[k] += (2 / X.length) * r * v));
        });
        w = w.map((wk, k) => wk - sched(i) * (g[k] + mu * (wk - theta[k]) - lambda[k]));
      }
    }
    const t = mu > 0 ? w.map((wk, k) => wk - lambda[k] / mu) : [...w];
    const thr = t.map(Math.abs).sort((a, b) => b - a)[1];
    theta = t.map((v) => (Math.abs(v) >= thr ? v : 0));
    const valLoss = mse(theta, XV, YV);
    if (valLoss < bestLoss) {
      bestLoss = valLoss;
      best = [...theta];
      bestStep = j;
    }
    if (mu > 0) lambda = lambda.map((l, k) => l - mu * (w[k] - theta[k]));
    trace.push({ mu, valLoss, lambdaNorm: Math.sqrt(lambda.reduce((s, l) => s + l * l, 0)) });
    mu = mu === 0 ? o.muInit : mu > o.muCap ? mu : mu * o.muMult;
  }
  return { trace, best, bestStep };
}

describe('LC (learning-compression) optimizer', () => {
  it('matches a hand-traced run: mu sequence, multipliers, selection on validation loss', async () => {
    const leaks = trackTensors();
    const model = linearModel();
    const data = { xs: tf.tensor2d(X), ys: tf.tensor2d(Y, [8, 1]) };
    const val = { xs: tf.tensor2d(XV), ys: tf.tensor2d(YV, [3, 1]) };
    const o = { steps: 6, first: 15, per: 6, lr: 0.2, lrEnd: 0.02, muInit: 0.3, muMult: 2, muCap: 1 };
    const lc = new LC({
      steps: o.steps,
      firstLIterations: o.first,
      perLIterations: o.per,
      lr: o.lr,
      lrEnd: o.lrEnd,
      muInit: o.muInit,
      muMultiplier: o.muMult,
      muCap: o.muCap,
      momentum: 0,
      batchSize: 8,
      bnImages: 0,
      fineTuneIterations: 0,
    });
    const events: RunEvent[] = [];
    const result = await new Compressor({
      model,
      scheme: new TopKPrune(2),
      optimizer: lc,
      trainData: data,
      valData: val,
      loss: 'meanSquaredError',
      onEvent: (e) => events.push(e),
    }).run();
    const ref = referenceLC(o);

    // mu: 0 in step 0 (direct compression), then muInit, x2 per step, frozen once above muCap.
    expect(result.stats.map((s) => s.mu)).toEqual([0, 0.3, 0.6, 1.2, 1.2, 1.2]);
    expect(ref.trace.map((t) => t.mu)).toEqual([0, 0.3, 0.6, 1.2, 1.2, 1.2]);
    result.stats.forEach((s, j) => {
      expect(s.val!.loss).toBeCloseTo(ref.trace[j].valLoss, 4);
      expect(s.extra!.lambdaNorm).toBeCloseTo(ref.trace[j].lambdaNorm, 4);
      expect(s.iterations).toBe(j === 0 ? 0 : j === 1 ? o.first : o.per);
    });
    // Multipliers move once mu > 0 (step 0 leaves them at zero).
    expect(result.stats[0].extra!.lambdaNorm).toBe(0);
    expect(result.stats[2].extra!.lambdaNorm).toBeGreaterThan(0);
    // The returned model is the compressed theta with the lowest validation loss.
    const losses = result.stats.map((s) => s.val!.loss);
    expect(result.bestStep).toBe(losses.indexOf(Math.min(...losses)));
    expect(result.bestStep).toBe(ref.bestStep);
    const got = Array.from(result.model.getLayer('fc').getWeights()[0].dataSync());
    got.forEach((v, k) => expect(v).toBeCloseTo(ref.best[k], 4));
    expect(got.filter((v) => v === 0).length).toBe(2);
    expect(getMask(result.model.getLayer('fc'), 'kernel')).not.toBeNull();
    // The input model is untouched.
    expect(Array.from(model.getLayer('fc').getWeights()[0].dataSync())).toEqual(w0.map(Math.fround));
    // One iteration event per minibatch, one step event per step.
    expect(events.filter((e) => e.type === 'iteration').length).toBe(o.first + 4 * o.per);
    expect(events.filter((e) => e.type === 'step').length).toBe(o.steps);
    const last = events.filter((e) => e.type === 'iteration').pop() as Extract<
      RunEvent,
      { type: 'iteration' }
    >;
    expect(last).toMatchObject({ step: 5, steps: 6, iteration: o.per - 1, iterations: o.per });
    expect(last.eta).toBe(0);
    expect(Number.isFinite(last.loss)).toBe(true);

    disposeModel(result.model);
    model.dispose();
    tf.dispose([data.xs, data.ys, val.xs, val.ys]);
    leaks.check();
  });

  it('rejects bad options with typed errors naming the option', () => {
    expect(() => new LC({ steps: 0 })).toThrow(InvalidArgumentError);
    expect(() => new LC({ muInit: -1 })).toThrow(/LC muInit must be a finite number > 0, got -1/);
    expect(() => new LC({ optimizer: 'rmsprop' as 'sgd' })).toThrow(
      /LC optimizer must be 'sgd' or 'adam', got 'rmsprop'/,
    );
  });

  it('penalises exactly the scheme targets', () => {
    const model = linearModel();
    const refs = new TopKPrune(2).targets(model);
    expect(refs.map((r) => `${r.layer.name}/${r.name}`)).toEqual(['fc/kernel']);
    expect(getWeightVariable(refs[0].layer, 'kernel').shape).toEqual([4, 1]);
    model.dispose();
  });
});
