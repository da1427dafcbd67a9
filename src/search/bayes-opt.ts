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
  const xs: number[][] = [];
  const ys: number[] = [];
  const evaluate = async (x: number[]) => {
    xs.push(x);
    ys.push(await f(x));
  };
  for (let i = 0; i < initial; i++) await evaluate(randomPoint());
  while (xs.length < budget) {
    // EI is written for maximisation: model -f.
    const gp = GaussianProcess.fit(
      xs,
      ys.map((y) => -y),
      { kernel: opts.kernel ?? 'matern52', bounds: opts.bounds, seed: (opts.seed ?? 0) + xs.length },
    );
    const bestIndex = ys.indexOf(Math.min(...ys));
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
    await evaluate(candidates[best]);
  }
  const i = ys.indexOf(Math.min(...ys));
  return { x: xs[i], y: ys[i], xs, ys };
}
