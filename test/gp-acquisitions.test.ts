import { describe, expect, it } from 'vitest';
import {
  expectedImprovement,
  lseAmbiguity,
  lseClassify,
  normalCdf,
  normalPdf,
  probabilityAbove,
  straddle,
  upperConfidenceBound,
} from '../src/search/index.js';

describe('normal distribution helpers', () => {
  it('match tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    expect(normalPdf(0)).toBeCloseTo(0.398942, 6);
    expect(normalCdf(3) + normalCdf(-3)).toBeCloseTo(1, 9);
  });
});

describe('acquisition functions', () => {
  it('expected improvement: closed form, limits and monotonicity', () => {
    // mu = best: EI = sigma * phi(0).
    expect(expectedImprovement(1, 0.5, 1)).toBeCloseTo(0.5 * 0.398942, 6);
    // mu - best = 0.3, sigma = 0.2: z = 1.5.
    const z = 1.5;
    expect(expectedImprovement(1.3, 0.2, 1)).toBeCloseTo(0.3 * normalCdf(z) + 0.2 * normalPdf(z), 9);
    // No uncertainty: plain improvement, never negative.
    expect(expectedImprovement(2, 0, 1.5)).toBe(0.5);
    expect(expectedImprovement(1, 0, 1.5)).toBe(0);
    // More uncertainty never lowers EI; a better mean raises it; xi lowers it.
    expect(expectedImprovement(0.5, 0.4, 1)).toBeGreaterThan(expectedImprovement(0.5, 0.2, 1));
    expect(expectedImprovement(0.8, 0.2, 1)).toBeGreaterThan(expectedImprovement(0.5, 0.2, 1));
    expect(expectedImprovement(1, 0.2, 1, 0.1)).toBeLessThan(expectedImprovement(1, 0.2, 1));
  });

  it('UCB, straddle and probability of feasibility', () => {
    expect(upperConfidenceBound(1, 0.5)).toBe(2);
    expect(upperConfidenceBound(1, 0.5, 3)).toBe(2.5);
    expect(straddle(0.9, 0.01, 0.9)).toBeCloseTo(0.0196, 12);
    expect(straddle(0.8, 0.01, 0.9)).toBeCloseTo(0.0196 - 0.1, 12);
    // Straddle prefers uncertain points near the level over certain or far ones.
    expect(straddle(0.9, 0.05, 0.9)).toBeGreaterThan(straddle(0.9, 0.01, 0.9));
    expect(straddle(0.9, 0.05, 0.9)).toBeGreaterThan(straddle(0.7, 0.05, 0.9));
    expect(probabilityAbove(0.9, 0.1, 0.9)).toBeCloseTo(0.5, 7);
    expect(probabilityAbove(1.0, 0.1, 0.9)).toBeCloseTo(normalCdf(1), 9);
    expect(probabilityAbove(0.95, 0, 0.9)).toBe(1);
    expect(probabilityAbove(0.85, 0, 0.9)).toBe(0);
  });

  it('LSE classification and ambiguity', () => {
    expect(lseClassify(0.95, 0.01, 0.9)).toBe('above');
    expect(lseClassify(0.85, 0.01, 0.9)).toBe('below');
    expect(lseClassify(0.9, 0.05, 0.9)).toBe('ambiguous');
    // LSE's accuracy tolerance lets nearly-certain points be classified.
    expect(lseClassify(0.9, 0.001, 0.91)).toBe('below');
    expect(lseClassify(0.9, 0.001, 0.91, 1.96, 0.02)).toBe('above');
    expect(lseAmbiguity(0.9, 0.1, 0.9, 1)).toBeCloseTo(0.1, 12);
    expect(lseAmbiguity(0.95, 0.01, 0.9, 1)).toBeLessThan(0);
    // With beta = 1.96, ambiguity equals straddle (the stateless forms coincide).
    expect(lseAmbiguity(0.87, 0.03, 0.9)).toBeCloseTo(straddle(0.87, 0.03, 0.9), 12);
  });
});
