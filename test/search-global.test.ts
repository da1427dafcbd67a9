import { describe, expect, it } from 'vitest';
import {
  accuracyThreshold,
  bisectionSearch,
  globalSearch,
  gridSearch,
  randomSearch,
  seededRandom,
  type SampleFn,
} from '../src/search/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { piecewiseLinear } from './search-curves.js';

const EPS = { eps: 0.02, mode: 'absolute' as const };

/** Logistic accuracy collapse at `centre`; throughput-like objective 1 / density. */
function curve(centre: number, width = 0.05) {
  const base = 0.9;
  const accuracy = (s: number) =>
    base - 0.6 / (1 + Math.exp(-(s - centre) / width)) + 0.6 / (1 + Math.exp(centre / width));
  // Sparsity where the accuracy meets base - 0.02 exactly: solve the logistic.
  const offset = 0.6 / (1 + Math.exp(centre / width));
  const boundary = centre + width * Math.log((0.02 + offset) / (0.6 - 0.02 - offset));
  const sample: SampleFn<number> = async (density) => ({
    accuracy: accuracy(1 - density),
    objective: 1 / density,
  });
  return { base, accuracy, boundary, sample };
}

describe('accuracy budget', () => {
  it('supports absolute and relative eps and rejects bad ones', () => {
    expect(accuracyThreshold(0.9, { eps: 0.02, mode: 'absolute' })).toBeCloseTo(0.88, 12);
    expect(accuracyThreshold(0.9, { eps: 0.02, mode: 'relative' })).toBeCloseTo(0.882, 12);
    expect(() => accuracyThreshold(0.9, { eps: -1, mode: 'absolute' })).toThrow(InvalidArgumentError);
    expect(() => accuracyThreshold(0.9, { eps: 0.02, mode: 'percent' as 'absolute' })).toThrow(
      /absolute' or 'relative/,
    );
  });
});

describe('global (Condensa) sparsity search', () => {
  it('finds the accuracy boundary of synthetic curves within tolerance, in the budget', async () => {
    for (const centre of [0.45, 0.6, 0.75, 0.85]) {
      const c = curve(centre);
      let calls = 0;
      const r = await globalSearch({
        sample: (d, ctx) => {
          calls++;
          return c.sample(d, ctx);
        },
        baseAccuracy: c.base,
        eps: EPS,
        budget: 8,
        seed: 1,
      });
      expect(calls).toBeLessThanOrEqual(8);
      expect(r.feasible).toBe(true);
      expect(r.best!.accuracy).toBeGreaterThanOrEqual(c.base - 0.02);
      expect(r.best!.sparsity).toBeLessThanOrEqual(c.boundary + 1e-9);
      expect(c.boundary - r.best!.sparsity).toBeLessThan(0.01);
      // The density handed to the sample function is 1 - sparsity.
      expect(r.best!.density).toBeCloseTo(1 - r.best!.sparsity, 12);
    }
  });

  it('stays near the boundary of a noisy, only roughly monotone curve', async () => {
    const c = curve(0.7);
    // Deterministic measurement noise of +-0.003 per sparsity, as a seeded compression gives.
    const noisy = (s: number) => c.accuracy(s) + 0.003 * (2 * seededRandom(Math.round(s * 1e6)).next() - 1);
    const r = await globalSearch({
      sample: async (d) => ({ accuracy: noisy(1 - d), objective: 1 / d }),
      baseAccuracy: c.base,
      eps: EPS,
      budget: 8,
      seed: 3,
    });
    expect(r.feasible).toBe(true);
    expect(noisy(r.best!.sparsity)).toBeGreaterThanOrEqual(c.base - 0.02);
    expect(Math.abs(c.boundary - r.best!.sparsity)).toBeLessThan(0.02);
  });

  it('returns the best feasible sample by objective, minimising when asked', async () => {
    const c = curve(0.6);
    const sample: SampleFn<number> = async (d) => ({
      accuracy: c.accuracy(1 - d),
      objective: d,
      note: 'flops',
    });
    const r = await globalSearch({
      sample,
      baseAccuracy: c.base,
      eps: EPS,
      budget: 6,
      seed: 2,
      direction: 'minimize',
    });
    const feasible = r.samples.filter((s) => s.feasible);
    expect(r.best!.objective).toBe(Math.min(...feasible.map((s) => s.objective)));
    expect(r.best!.extra).toEqual({ note: 'flops' });
  });

  it('reports an infeasible budget with the closest sample', async () => {
    const sample: SampleFn<number> = async (d) => ({ accuracy: 0.5 - 0.1 * (1 - d), objective: 1 / d });
    const r = await globalSearch({ sample, baseAccuracy: 0.9, eps: EPS, budget: 5, seed: 0, sMin: 0.1 });
    expect(r.feasible).toBe(false);
    expect(r.best).toBeNull();
    expect(r.closest.accuracy).toBe(Math.max(...r.samples.map((s) => s.accuracy)));
    expect(r.closest.sparsity).toBeCloseTo(0.1, 2);
    expect(r.message).toMatch(/no sample met the accuracy threshold 0\.88/);
  });

  it('is deterministic for a seed', async () => {
    const c = curve(0.7);
    const a = await globalSearch({ sample: c.sample, baseAccuracy: c.base, eps: EPS, budget: 7, seed: 4 });
    const b = await globalSearch({ sample: c.sample, baseAccuracy: c.base, eps: EPS, budget: 7, seed: 4 });
    expect(b.samples.map((s) => s.density)).toEqual(a.samples.map((s) => s.density));
  });

  it('validates its options with typed errors', async () => {
    const c = curve(0.6);
    const base = { sample: c.sample, baseAccuracy: c.base, eps: EPS };
    await expect(globalSearch({ ...base, budget: 0 })).rejects.toThrow(/budget must be an integer >= 1/);
    await expect(globalSearch({ ...base, sMin: 0.5, sMax: 0.4 })).rejects.toThrow(InvalidArgumentError);
    await expect(
      globalSearch({ ...base, sample: async () => ({ accuracy: NaN, objective: 1 }) }),
    ).rejects.toThrow(/finite numbers/);
  });
});

describe('baselines', () => {
  it('bisection brackets the boundary by halving', async () => {
    const c = curve(0.6);
    const r = await bisectionSearch({
      sample: c.sample,
      baseAccuracy: c.base,
      eps: EPS,
      budget: 10,
      sMax: 0.95,
    });
    expect(r.samples[0].sparsity).toBeCloseTo(0.475, 12);
    expect(c.boundary - r.best!.sparsity).toBeLessThan(0.95 / 2 ** 9);
    expect(r.best!.sparsity).toBeLessThanOrEqual(c.boundary);
  });

  it('grid search includes both ends and random search is seeded', async () => {
    const c = curve(0.6);
    const g = await gridSearch({
      sample: c.sample,
      baseAccuracy: c.base,
      eps: EPS,
      budget: 11,
      sMin: 0.1,
      sMax: 0.9,
    });
    expect(g.samples).toHaveLength(11);
    g.samples.forEach((s, i) => expect(s.sparsity).toBeCloseTo(0.1 + i * 0.08, 12));
    const r1 = await randomSearch({ sample: c.sample, baseAccuracy: c.base, eps: EPS, budget: 5, seed: 9 });
    const r2 = await randomSearch({ sample: c.sample, baseAccuracy: c.base, eps: EPS, budget: 5, seed: 9 });
    const r3 = await randomSearch({ sample: c.sample, baseAccuracy: c.base, eps: EPS, budget: 5, seed: 10 });
    expect(r2.samples.map((s) => s.sparsity)).toEqual(r1.samples.map((s) => s.sparsity));
    expect(r3.samples.map((s) => s.sparsity)).not.toEqual(r1.samples.map((s) => s.sparsity));
    for (const s of r1.samples) expect(s.sparsity).toBeGreaterThanOrEqual(0);
  });
});

describe('stage 2 probes past a closed bracket', () => {
  // The CIFAR-10 listing's measured curve (filter sparsity -> proxy validation accuracy, dense
  // 0.895, threshold 0.875), linearly interpolated, with a throughput-like objective. The
  // bracket closes between 21.6% and 21.9%; 47.5% missed the threshold by 3.6 points.
  const points: Array<[number, number]> = [
    [0, 0.895],
    [0.216, 0.8755],
    [0.219, 0.8745],
    [0.242, 0.8705],
    [0.29, 0.866],
    [0.475, 0.839],
    [0.95, 0.08],
  ];
  const accuracy = piecewiseLinear(points);
  const sample: SampleFn<number> = async (density) => ({
    accuracy: accuracy(1 - density),
    objective: 1500 / density ** 1.5,
  });

  it('never samples above a sample that missed the threshold by more than half the budget', async () => {
    for (const seed of [0, 1, 2, 3]) {
      const r = await globalSearch({ sample, baseAccuracy: 0.895, eps: EPS, budget: 8, seed });
      const clearlyOut = r.samples.filter((p) => p.accuracy < 0.875 - 0.01).map((p) => p.sparsity);
      const ceiling = Math.min(...clearlyOut);
      // Stage 1 starts at 47.5%; after that, nothing above the lowest clearly infeasible sample.
      for (const p of r.samples.slice(1)) expect(p.sparsity).toBeLessThanOrEqual(ceiling + 1e-9);
      expect(r.best!.accuracy).toBeGreaterThanOrEqual(0.875);
      expect(r.best!.sparsity).toBeGreaterThan(0.2);
    }
  });
});
