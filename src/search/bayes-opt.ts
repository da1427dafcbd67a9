import { InvalidArgumentError } from '../errors.js';
import { expectedImprovement } from './acquisitions.js';
import { GaussianProcess } from './gp.js';
import type { KernelName } from './kernels.js';
import { seededRandom } from './rng.js';

export interface BayesOptOptions {
  /** One [lo, hi] per dimension. */
  bounds: [number, number][];
  /** Total evaluations, initial design included (default 20). */
  budget?: number;
  /** Seeded uniform-random initial points (default 2 * dims + 1). */
  initial?: number;
  /** Random candidates scored per step (default 1000 * dims), plus local ones around the best point. */
  candidates?: number;
  seed?: number;
  kernel?: KernelName;
  /**
   * Points evaluated at a time, q (default 1): `f` runs for all q concurrently. Each proposal
   * after the first in a batch treats the pending ones as observed at the GP's posterior mean
   * (kriging believer), which lowers EI around them; with q = 1 the search is the sequential one.
   */
  batchSize?: number;
}

/**
 * Minimise an expensive function on a box with GP expected improvement: a seeded random initial
 * design, then at each step the candidate (seeded random points plus Gaussian perturbations of
 * the incumbent) of largest EI. A general-purpose companion of the sparsity searches, and the
 * check that the GP machinery finds known optima (Forrester, Branin) in the tests.
 *
 * @example
 * const { x, y } = await bayesOptMinimize((p) => (p[0] - 0.3) ** 2, { bounds: [[0, 1]], budget: 12, seed: 1 });
 */
export async function bayesOptMinimize(
  f: (x: number[]) => number | Promise<number>,
  opts: BayesOptOptions,
): Promise<{ x: number[]; y: number; xs: number[][]; ys: number[] }> {
  const dims = opts.bounds.length;
  if (dims === 0 || opts.bounds.some(([lo, hi]) => !(hi > lo))) {
    throw new InvalidArgumentError(
      `bounds must be a non-empty list of [lo, hi] with lo < hi, got ${JSON.stringify(opts.bounds)}`,
    );
  }
  const budget = opts.budget ?? 20;
  const initial = Math.min(opts.initial ?? 2 * dims + 1, budget);
  const rng = seededRandom(opts.seed ?? 0);
  const randomPoint = () => opts.bounds.map(([lo, hi]) => rng.uniform(lo, hi));
  const batchSize = opts.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(`batchSize must be an integer >= 1, got ${batchSize}`);
  }
  const xs: number[][] = [];
  const ys: number[] = [];
  // Evaluate a batch concurrently; results are recorded in proposal order.
  const evaluate = async (batch: number[][]) => {
    const values = await Promise.all(batch.map((x) => f(x)));
    batch.forEach((x, i) => {
      xs.push(x);
      ys.push(values[i]);
    });
  };
  for (let i = 0; i < initial; i += batchSize) {
    const batch: number[][] = [];
    for (let j = i; j < Math.min(initial, i + batchSize); j++) batch.push(randomPoint());
    await evaluate(batch);
  }
  while (xs.length < budget) {
    const bestIndex = ys.indexOf(Math.min(...ys));
    // Believed values of this batch's pending points (the GP's mean), after the real ones.
    const px = [...xs];
    const py = [...ys];
    const batch: number[][] = [];
    while (batch.length < batchSize && xs.length + batch.length < budget) {
      // EI is written for maximisation: model -f.
      const gp = GaussianProcess.fit(
        px,
        py.map((y) => -y),
        { kernel: opts.kernel ?? 'matern52', bounds: opts.bounds, seed: (opts.seed ?? 0) + px.length },
      );
      const candidates: number[][] = [];
      const count = opts.candidates ?? 1000 * dims;
      for (let i = 0; i < count; i++) candidates.push(randomPoint());
      for (let i = 0; i < count / 4; i++) {
        const scale = i % 2 === 0 ? 0.02 : 0.1;
        candidates.push(
          xs[bestIndex].map((v, d) => {
            const [lo, hi] = opts.bounds[d];
            return Math.min(hi, Math.max(lo, v + scale * (hi - lo) * rng.normal()));
          }),
        );
      }
      const post = gp.predictMany(candidates);
      let best = 0;
      let bestEi = -Infinity;
      post.forEach((p, i) => {
        const ei = expectedImprovement(p.mean, Math.sqrt(p.variance), -ys[bestIndex]);
        if (ei > bestEi) {
          bestEi = ei;
          best = i;
        }
      });
      batch.push(candidates[best]);
      px.push(candidates[best]);
      py.push(-post[best].mean);
    }
    await evaluate(batch);
  }
  const i = ys.indexOf(Math.min(...ys));
  return { x: xs[i], y: ys[i], xs, ys };
}
