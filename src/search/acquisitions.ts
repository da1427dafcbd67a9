import { normalCdf, normalPdf } from './normal.js';

/**
 * Acquisition functions, all in the maximisation convention (larger is a better next sample).
 * `mu` and `sigma` are the GP posterior mean and standard deviation at a candidate.
 */

/**
 * Expected improvement over `best`: E[max(f - best - xi, 0)] for f ~ N(mu, sigma^2).
 *
 * @example
 * expectedImprovement(1, 0, 0.5); // 0.5 (no uncertainty: the plain improvement)
 */
export function expectedImprovement(mu: number, sigma: number, best: number, xi = 0): number {
  const gain = mu - best - xi;
  if (sigma <= 0) return Math.max(gain, 0);
  const z = gain / sigma;
  return gain * normalCdf(z) + sigma * normalPdf(z);
}

/**
 * Upper confidence bound mu + beta * sigma (GP-UCB, `beta` being the square root of the
 * theorem's beta_t).
 *
 * @example
 * upperConfidenceBound(1, 0.5, 2); // 2
 */
export function upperConfidenceBound(mu: number, sigma: number, beta = 2): number {
  return mu + beta * sigma;
}

/**
 * Straddle heuristic for level-set estimation (Bryan et al. 2006): 1.96 sigma - |mu - h|. Large
 * where the function is both uncertain and close to the level `h`.
 *
 * @example
 * straddle(0.9, 0.01, 0.9); // 0.0196
 */
export function straddle(mu: number, sigma: number, level: number): number {
  return 1.96 * sigma - Math.abs(mu - level);
}

/** Where a point lies relative to a level, given its confidence interval mu +- beta sigma. */
export type LevelClass = 'above' | 'below' | 'ambiguous';

/**
 * LSE classification (Gotovos et al. 2013): `above` when the whole confidence interval
 * mu +- beta sigma lies at or above `level - accuracy`, `below` when it lies under
 * `level + accuracy`, otherwise `ambiguous`. `accuracy` is LSE's tolerance epsilon.
 *
 * @example
 * lseClassify(0.95, 0.01, 0.9); // 'above'
 */
export function lseClassify(mu: number, sigma: number, level: number, beta = 1.96, accuracy = 0): LevelClass {
  if (mu - beta * sigma >= level - accuracy) return 'above';
  if (mu + beta * sigma < level + accuracy) return 'below';
  return 'ambiguous';
}

/**
 * LSE ambiguity min(upper - h, h - lower) of the confidence interval [mu - beta sigma,
 * mu + beta sigma]: positive only for points whose side of the level is still unknown; LSE
 * samples the most ambiguous one.
 *
 * @example
 * lseAmbiguity(0.9, 0.1, 0.9, 1); // 0.1
 */
export function lseAmbiguity(mu: number, sigma: number, level: number, beta = 1.96): number {
  return Math.min(mu + beta * sigma - level, level - (mu - beta * sigma));
}

/**
 * Probability that f >= level under N(mu, sigma^2): the feasibility weight of constrained EI.
 *
 * @example
 * probabilityAbove(0.9, 0.1, 0.9); // 0.5
 */
export function probabilityAbove(mu: number, sigma: number, level: number): number {
  if (sigma <= 0) return mu >= level ? 1 : 0;
  return normalCdf((mu - level) / sigma);
}
