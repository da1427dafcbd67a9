import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import {
  concatLr,
  constantLr,
  cosineLr,
  exponentialLr,
  intervalLr,
  polynomialSparsity,
  scaledLr,
  stepDecayLr,
} from '../src/optimizers/index.js';

describe('learning-rate schedules', () => {
  it('interval (geometric) goes from a to b over n steps and holds b', () => {
    const s = intervalLr(0.01, 1e-4, 3);
    expect(s(0)).toBeCloseTo(0.01, 12);
    expect(s(1)).toBeCloseTo(0.001, 12);
    expect(s(2)).toBeCloseTo(1e-4, 12);
    expect(s(10)).toBeCloseTo(1e-4, 12);
    expect(intervalLr(0.5, 0.1, 1)(0)).toBe(0.5);
  });

  it('step decay, exponential, cosine, scaled and concatenated schedules have the expected values', () => {
    const d = stepDecayLr(0.1, [20, 10], 0.1);
    expect([d(0), d(9), d(10), d(19), d(20), d(99)].map((x) => Number(x.toPrecision(6)))).toEqual([
      0.1, 0.1, 0.01, 0.01, 0.001, 0.001,
    ]);
    expect(exponentialLr(0.1, 0.5, 100)(200)).toBeCloseTo(0.025, 12);
    expect(exponentialLr(0.1, 0.5, 100)(50)).toBeCloseTo(0.1 * Math.SQRT1_2, 12);
    const c = cosineLr(0.1, 0, 100);
    expect(c(0)).toBeCloseTo(0.1, 12);
    expect(c(50)).toBeCloseTo(0.05, 12);
    expect(c(100)).toBeCloseTo(0, 12);
    expect(c(500)).toBeCloseTo(0, 12);
    expect(scaledLr(constantLr(0.1), 0.5)(7)).toBeCloseTo(0.05, 12);
    const cat = concatLr(constantLr(0.001), 5, intervalLr(0.1, 0.01, 2));
    expect([cat(4), cat(5), cat(6)]).toEqual([0.001, 0.1, expect.closeTo(0.01, 12)]);
  });

  it('rejects bad arguments with a typed error naming the value', () => {
    expect(() => intervalLr(0, 1, 3)).toThrow(InvalidArgumentError);
    expect(() => intervalLr(0.1, 0.01, 0)).toThrow(/n must be an integer >= 1, got 0/);
    expect(() => constantLr(NaN)).toThrow(/lr must be a finite number > 0/);
  });
});

describe('polynomial sparsity schedule (Zhu & Gupta)', () => {
  const s = { initialSparsity: 0.1, finalSparsity: 0.9, beginStep: 100, endStep: 300 };
  it('follows s_f + (s_i - s_f)(1 - (t - t0)/(t1 - t0))^3 and clamps outside [t0, t1]', () => {
    expect(polynomialSparsity(0, s)).toBeCloseTo(0.1, 12);
    expect(polynomialSparsity(100, s)).toBeCloseTo(0.1, 12);
    // t = 150: progress 0.25 -> 0.9 - 0.8 * 0.75^3
    expect(polynomialSparsity(150, s)).toBeCloseTo(0.9 - 0.8 * 0.421875, 12);
    expect(polynomialSparsity(200, s)).toBeCloseTo(0.9 - 0.8 * 0.125, 12);
    expect(polynomialSparsity(300, s)).toBeCloseTo(0.9, 12);
    expect(polynomialSparsity(1000, s)).toBeCloseTo(0.9, 12);
    expect(polynomialSparsity(200, { ...s, power: 1 })).toBeCloseTo(0.5, 12);
  });
  it('is non-decreasing in t', () => {
    let prev = -1;
    for (let t = 0; t <= 400; t += 7) {
      const v = polynomialSparsity(t, s);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
  });
});
