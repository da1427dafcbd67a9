import { describe, expect, it } from 'vitest';
import {
  GaussianProcess,
  bayesOptMinimize,
  kernelValue,
  nelderMead,
  type GPHyperparameters,
} from '../src/search/index.js';
import { InvalidArgumentError } from '../src/errors.js';

// Two points x = 0, 1 with y = +1, -1 under an RBF kernel (lengthscale 1, signal variance 1,
// noise 0.01). K = [[1.01, e^-0.5], [e^-0.5, 1.01]]; y is K's eigenvector [1, -1] with
// eigenvalue 1.01 - e^-0.5, and [1, 1] has eigenvalue 1.01 + e^-0.5, so everything is by hand.
const HP: GPHyperparameters = { lengthscales: [1], signalVariance: 1, noiseVariance: 0.01 };
const k01 = Math.exp(-0.5);
const minus = 1.01 - k01;
const plus = 1.01 + k01;

describe('GaussianProcess posterior (hand-computed)', () => {
  it('matches the closed form at the training points and the midpoint', () => {
    const gp = GaussianProcess.fit([[0], [1]], [1, -1], {
      kernel: 'rbf',
      bounds: [[0, 1]],
      hyperparameters: HP,
    });
    // At x = 0: k* = [1, e^-0.5]; mean = k*^T K^-1 y = (1 - e^-0.5) / minus.
    const at0 = gp.predict([0]);
    expect(at0.mean).toBeCloseTo((1 - k01) / minus, 6);
    // Variance 1 - k*^T K^-1 k*, with k* split on the two eigenvectors.
    const a = (1 + k01) / 2;
    const b = (1 - k01) / 2;
    expect(at0.variance).toBeCloseTo(1 - (2 * a * a) / plus - (2 * b * b) / minus, 6);
    // At x = 0.5: k* = e^-0.125 [1, 1] is orthogonal to y, so the mean is 0.
    const mid = gp.predict([0.5]);
    const km = Math.exp(-0.125);
    expect(mid.mean).toBeCloseTo(0, 9);
    expect(mid.variance).toBeCloseTo(1 - (2 * km * km) / plus, 6);
  });

  it('undoes output standardisation and input normalisation', () => {
    // y = 3 + 2 * [1, -1] standardises to [1, -1]; x in [10, 30] normalises to [0, 1].
    const gp = GaussianProcess.fit([[10], [30]], [5, 1], {
      kernel: 'rbf',
      bounds: [[10, 30]],
      hyperparameters: HP,
    });
    const at = gp.predict([10]);
    expect(at.mean).toBeCloseTo(3 + (2 * (1 - k01)) / minus, 6);
    const a = (1 + k01) / 2;
    const b = (1 - k01) / 2;
    expect(at.variance).toBeCloseTo(4 * (1 - (2 * a * a) / plus - (2 * b * b) / minus), 5);
    expect(gp.noiseVariance).toBeCloseTo(0.04, 9);
  });

  it('computes the log marginal likelihood by hand', () => {
    const lml = GaussianProcess.logMarginalLikelihood([[0], [1]], [1, -1], HP, 'rbf');
    const expected = -0.5 * (2 / minus) - 0.5 * Math.log(1.01 * 1.01 - k01 * k01) - Math.log(2 * Math.PI);
    expect(lml).toBeCloseTo(expected, 6);
  });

  it('evaluates Matern 5/2 and RBF kernels with ARD lengthscales', () => {
    const r = Math.sqrt((1 / 0.5) ** 2 + (2 / 4) ** 2);
    const s5 = Math.sqrt(5) * r;
    expect(kernelValue('matern52', [0, 0], [1, 2], [0.5, 4], 2)).toBeCloseTo(
      2 * (1 + s5 + (s5 * s5) / 3) * Math.exp(-s5),
      12,
    );
    expect(kernelValue('rbf', [0, 0], [1, 2], [0.5, 4], 2)).toBeCloseTo(2 * Math.exp(-0.5 * r * r), 12);
    expect(kernelValue('matern52', [0.3], [0.3], [0.1], 1.5)).toBe(1.5);
  });

  it('fits hyperparameters that beat the starting point on the likelihood and interpolate a smooth function', () => {
    const xs = Array.from({ length: 12 }, (_, i) => [i / 11]);
    const ys = xs.map(([x]) => Math.sin(6 * x));
    const gp = GaussianProcess.fit(xs, ys, { kernel: 'matern52', bounds: [[0, 1]], seed: 3 });
    const standardised = standardise(ys);
    const defaultLml = GaussianProcess.logMarginalLikelihood(xs, standardised, {
      lengthscales: [0.3],
      signalVariance: 1,
      noiseVariance: 1e-3,
    });
    expect(gp.logMarginalLikelihood).toBeGreaterThan(defaultLml);
    for (const x of [0.05, 0.33, 0.71]) {
      const p = gp.predict([x]);
      expect(Math.abs(p.mean - Math.sin(6 * x))).toBeLessThan(0.02);
      expect(p.variance).toBeLessThan(0.01);
    }
    // Far outside the data the posterior reverts to the prior: more uncertain.
    expect(gp.predict([1.5]).variance).toBeGreaterThan(gp.predict([0.5]).variance);
  });

  it('without priors, the fitted hyperparameters are a local maximum of the likelihood', () => {
    const xs = [[0], [0.2], [0.35], [0.6], [0.8], [1]];
    const ys = [0.1, 0.7, 0.9, 0.2, -0.5, -0.4];
    const gp = GaussianProcess.fit(xs, ys, { bounds: [[0, 1]], seed: 1, prior: false });
    const hp = gp.hyperparameters;
    const lml = (h: GPHyperparameters) => GaussianProcess.logMarginalLikelihood(xs, standardise(ys), h);
    expect(gp.logMarginalLikelihood).toBeCloseTo(lml(hp), 9);
    for (const f of [0.9, 1.1]) {
      expect(lml({ ...hp, lengthscales: [hp.lengthscales[0] * f] })).toBeLessThanOrEqual(lml(hp) + 1e-6);
      expect(lml({ ...hp, signalVariance: hp.signalVariance * f })).toBeLessThanOrEqual(lml(hp) + 1e-6);
    }
    // Noise-free data: the noise sits at (or near) the bottom of its box, so only more noise is allowed.
    expect(hp.noiseVariance).toBeLessThan(1e-4);
    expect(lml({ ...hp, noiseVariance: hp.noiseVariance * 10 + 1e-4 })).toBeLessThan(lml(hp));
  });

  it('is deterministic for a seed', () => {
    const xs = [[0.1], [0.4], [0.5], [0.9]];
    const ys = [0.2, 0.9, 0.7, -0.3];
    const a = GaussianProcess.fit(xs, ys, { seed: 5 });
    const b = GaussianProcess.fit(xs, ys, { seed: 5 });
    expect(a.hyperparameters).toEqual(b.hyperparameters);
  });

  it('rejects mismatched or non-finite data with a typed error', () => {
    expect(() => GaussianProcess.fit([[0], [1]], [1])).toThrow(InvalidArgumentError);
    expect(() => GaussianProcess.fit([[0], [NaN]], [1, 2])).toThrow(/finite/);
  });
});

describe('Nelder-Mead', () => {
  it('minimises the Rosenbrock function', () => {
    const rosen = ([x, y]: number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    const { x } = nelderMead(rosen, [-1.2, 1], { maxIterations: 5000, tolerance: 1e-14 });
    expect(x[0]).toBeCloseTo(1, 3);
    expect(x[1]).toBeCloseTo(1, 3);
  });
});

describe('EI Bayesian optimisation on standard test functions', () => {
  it('finds the Forrester minimum (x = 0.7572, f = -6.0207) in 12 evaluations', async () => {
    const forrester = ([x]: number[]) => (6 * x - 2) ** 2 * Math.sin(12 * x - 4);
    const r = await bayesOptMinimize(forrester, { bounds: [[0, 1]], budget: 12, seed: 1 });
    expect(r.x[0]).toBeCloseTo(0.7572, 2);
    expect(r.y).toBeLessThan(-6.0);
    expect(r.xs).toHaveLength(12);
  });

  it('finds a Branin minimum (f = 0.397887) in 40 evaluations', async () => {
    const branin = ([x1, x2]: number[]) =>
      (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 +
      10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) +
      10;
    const r = await bayesOptMinimize(branin, {
      bounds: [
        [-5, 10],
        [0, 15],
      ],
      budget: 40,
      seed: 2,
    });
    expect(r.y).toBeLessThan(0.397887 + 0.05);
    const minima = [
      [-Math.PI, 12.275],
      [Math.PI, 2.275],
      [9.42478, 2.475],
    ];
    const nearest = Math.min(...minima.map(([a, b]) => Math.hypot(r.x[0] - a, r.x[1] - b)));
    expect(nearest).toBeLessThan(0.3);
  });
});

function standardise(ys: number[]): number[] {
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const std = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length);
  return ys.map((y) => (y - mean) / std);
}
