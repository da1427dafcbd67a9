import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { InvalidArgumentError } from '../errors.js';
import { kernelValue, type KernelName } from './kernels.js';
import { nelderMead } from './nelder-mead.js';
import { seededRandom } from './rng.js';

/** Kernel hyperparameters, in the GP's normalised units (inputs in [0,1], outputs standardised). */
export interface GPHyperparameters {
  /** One lengthscale per input dimension (ARD). */
  lengthscales: number[];
  signalVariance: number;
  /** Observation-noise variance added to the diagonal. */
  noiseVariance: number;
}

export interface GPOptions {
  kernel?: KernelName;
  /** Input box, one [lo, hi] per dimension; inputs are mapped to [0,1]. Default: the data's range. */
  bounds?: [number, number][];
  /** Fixed hyperparameters (no fitting). Default: maximise the log marginal likelihood. */
  hyperparameters?: GPHyperparameters;
  /** Fixed noise variance (standardised units) while the rest is fitted. */
  noiseVariance?: number;
  /** Number of Nelder-Mead restarts of the likelihood maximisation (default 5). */
  restarts?: number;
  /** Seed of the restart points (default 0). */
  seed?: number;
  /**
   * Smallest output scale used for standardisation. With one or two observations, or nearly
   * equal ones, the sample standard deviation is 0 or tiny and would make the posterior
   * absurdly confident; a caller that knows the scale that matters (e.g. the accuracy budget)
   * passes it here.
   */
  minOutputScale?: number;
  /**
   * Add the weak log-normal priors on lengthscales and signal variance to the likelihood
   * (maximum a posteriori, default true). With false the hyperparameters maximise the log
   * marginal likelihood alone.
   */
  prior?: boolean;
}

/** Posterior mean and variance (of the latent function, in the caller's units). */
export interface GPPrediction {
  mean: number;
  variance: number;
}

/** Box for the log-hyperparameters during fitting; wide, but it keeps the Cholesky sane. */
const LOG_LENGTHSCALE: [number, number] = [Math.log(0.02), Math.log(5)];
const LOG_SIGNAL: [number, number] = [Math.log(0.05), Math.log(20)];
const LOG_NOISE: [number, number] = [Math.log(1e-6), Math.log(1)];
const JITTER = 1e-9;

const clamp = (v: number, [lo, hi]: [number, number]): number => Math.min(hi, Math.max(lo, v));

/**
 * Gaussian-process regression with a Matern 5/2 or RBF kernel, ARD lengthscales and a noise
 * term. Inputs are normalised to [0,1] and outputs standardised (zero mean, unit variance), so
 * the hyperparameter box is meaningful whatever the units; unless given, hyperparameters
 * maximise the log marginal likelihood over several seeded Nelder-Mead restarts (in log space).
 * The linear algebra is ml-matrix's Cholesky decomposition.
 *
 * @example
 * const gp = GaussianProcess.fit([[0], [0.5], [1]], [1, 0, 1], { kernel: 'matern52', seed: 1 });
 * const { mean, variance } = gp.predict([0.25]);
 */
export class GaussianProcess {
  private constructor(
    readonly kernel: KernelName,
    readonly hyperparameters: GPHyperparameters,
    private readonly xs: number[][],
    private readonly lows: number[],
    private readonly spans: number[],
    private readonly yMean: number,
    private readonly yScale: number,
    private readonly chol: CholeskyDecomposition,
    private readonly alpha: Matrix,
    /** Log marginal likelihood of the standardised data under `hyperparameters`. */
    readonly logMarginalLikelihood: number,
  ) {}

  /** Fit to `x` (n points of d dimensions) and `y` (n values). */
  static fit(x: readonly (readonly number[])[], y: readonly number[], opts: GPOptions = {}): GaussianProcess {
    if (x.length === 0 || x.length !== y.length) {
      throw new InvalidArgumentError(
        `GaussianProcess.fit needs as many inputs as outputs and at least one; got ${x.length} inputs and ${y.length} outputs`,
      );
    }
    const dims = x[0].length;
    if (x.some((p) => p.length !== dims) || [...x.flat(), ...y].some((v) => !Number.isFinite(v))) {
      throw new InvalidArgumentError(
        `GaussianProcess.fit: every input must have ${dims} finite coordinates and every output must be finite`,
      );
    }
    const kernel = opts.kernel ?? 'matern52';
    const lows: number[] = [];
    const spans: number[] = [];
    for (let d = 0; d < dims; d++) {
      const [lo, hi] = opts.bounds?.[d] ?? [Math.min(...x.map((p) => p[d])), Math.max(...x.map((p) => p[d]))];
      lows.push(lo);
      spans.push(hi > lo ? hi - lo : 1);
    }
    const xs = x.map((p) => p.map((v, d) => (v - lows[d]) / spans[d]));
    const yMean = y.reduce((a, b) => a + b, 0) / y.length;
    const yStd = Math.sqrt(y.reduce((a, b) => a + (b - yMean) ** 2, 0) / y.length);
    const yScale = Math.max(yStd, opts.minOutputScale ?? 0, 1e-12);
    const ys = y.map((v) => (v - yMean) / yScale);

    const hp = opts.hyperparameters ?? fitHyperparameters(kernel, xs, ys, dims, opts);
    const model = factorise(kernel, xs, ys, hp);
    if (!model) {
      throw new InvalidArgumentError(
        `GaussianProcess.fit: the covariance matrix is not positive definite for hyperparameters ${JSON.stringify(hp)}`,
      );
    }
    return new GaussianProcess(
      kernel,
      hp,
      xs,
      lows,
      spans,
      yMean,
      yScale,
      model.chol,
      model.alpha,
      model.lml,
    );
  }

  /**
   * Log marginal likelihood of `y` at `x` under fixed hyperparameters, on the data exactly as
   * given (no input normalisation or output standardisation):
   * log p(y) = -1/2 y^T K^-1 y - 1/2 log|K| - n/2 log 2pi, with K including the noise.
   *
   * @example
   * GaussianProcess.logMarginalLikelihood([[0], [1]], [1, -1], { lengthscales: [1], signalVariance: 1, noiseVariance: 0.01 });
   */
  static logMarginalLikelihood(
    x: readonly (readonly number[])[],
    y: readonly number[],
    hyperparameters: GPHyperparameters,
    kernel: KernelName = 'matern52',
  ): number {
    const model = factorise(
      kernel,
      x.map((p) => [...p]),
      [...y],
      hyperparameters,
    );
    return model ? model.lml : -Infinity;
  }

  /** Posterior at one point (latent function, i.e. without observation noise). */
  predict(point: readonly number[]): GPPrediction {
    return this.predictMany([point])[0];
  }

  /** Posterior at many points at once (one triangular solve for all of them). */
  predictMany(points: readonly (readonly number[])[]): GPPrediction[] {
    if (points.length === 0) return [];
    const hp = this.hyperparameters;
    const normalised = points.map((p) => p.map((v, d) => (v - this.lows[d]) / this.spans[d]));
    const cross = new Matrix(this.xs.length, normalised.length);
    for (let i = 0; i < this.xs.length; i++) {
      for (let j = 0; j < normalised.length; j++) {
        cross.set(
          i,
          j,
          kernelValue(this.kernel, this.xs[i], normalised[j], hp.lengthscales, hp.signalVariance),
        );
      }
    }
    const solved = this.chol.solve(cross);
    return normalised.map((_, j) => {
      let mean = 0;
      let explained = 0;
      for (let i = 0; i < this.xs.length; i++) {
        mean += cross.get(i, j) * this.alpha.get(i, 0);
        explained += cross.get(i, j) * solved.get(i, j);
      }
      const variance = Math.max(hp.signalVariance - explained, 0);
      return { mean: this.yMean + this.yScale * mean, variance: variance * this.yScale * this.yScale };
    });
  }

  /** The observation-noise variance in the caller's output units. */
  get noiseVariance(): number {
    return this.hyperparameters.noiseVariance * this.yScale * this.yScale;
  }
}

function factorise(
  kernel: KernelName,
  xs: number[][],
  ys: number[],
  hp: GPHyperparameters,
): { chol: CholeskyDecomposition; alpha: Matrix; lml: number } | null {
  const n = xs.length;
  const K = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const k = kernelValue(kernel, xs[i], xs[j], hp.lengthscales, hp.signalVariance);
      K.set(i, j, k);
      K.set(j, i, k);
    }
    K.set(i, i, K.get(i, i) + hp.noiseVariance + JITTER);
  }
  const chol = new CholeskyDecomposition(K);
  if (!chol.isPositiveDefinite()) return null;
  const yVec = Matrix.columnVector(ys);
  const alpha = chol.solve(yVec);
  const L = chol.lowerTriangularMatrix;
  let halfLogDet = 0;
  for (let i = 0; i < n; i++) halfLogDet += Math.log(L.get(i, i));
  let fit = 0;
  for (let i = 0; i < n; i++) fit += ys[i] * alpha.get(i, 0);
  const lml = -0.5 * fit - halfLogDet - 0.5 * n * Math.log(2 * Math.PI);
  return { chol, alpha, lml };
}

/**
 * Maximise the log marginal likelihood over log-hyperparameters, from a default start and
 * `restarts - 1` seeded random starts. A weak log-normal prior on the lengthscales (centred on
 * 0.3 of the box) keeps two or three points from driving the lengthscale to a bound, which is
 * what makes the few-sample regime of the sparsity search usable.
 */
function fitHyperparameters(
  kernel: KernelName,
  xs: number[][],
  ys: number[],
  dims: number,
  opts: GPOptions,
): GPHyperparameters {
  const fixedNoise = opts.noiseVariance;
  const unpack = (p: number[]): GPHyperparameters => ({
    lengthscales: p.slice(0, dims).map((v) => Math.exp(clamp(v, LOG_LENGTHSCALE))),
    signalVariance: Math.exp(clamp(p[dims], LOG_SIGNAL)),
    noiseVariance: fixedNoise ?? Math.exp(clamp(p[dims + 1], LOG_NOISE)),
  });
  const priorCentre = Math.log(0.3);
  const usePrior = opts.prior ?? true;
  const negLogPosterior = (p: number[]): number => {
    const hp = unpack(p);
    const model = factorise(kernel, xs, ys, hp);
    if (!model) return Infinity;
    let prior = 0;
    if (usePrior) {
      for (let d = 0; d < dims; d++) prior -= 0.5 * ((Math.log(hp.lengthscales[d]) - priorCentre) / 1.5) ** 2;
      prior -= 0.5 * (Math.log(hp.signalVariance) / 2) ** 2;
    }
    return -(model.lml + prior);
  };
  const rng = seededRandom(opts.seed ?? 0);
  const restarts = Math.max(1, opts.restarts ?? 5);
  let best: { x: number[]; value: number } | null = null;
  for (let r = 0; r < restarts; r++) {
    const start =
      r === 0
        ? [...new Array<number>(dims).fill(priorCentre), 0, Math.log(1e-3)]
        : [
            ...Array.from({ length: dims }, () => rng.uniform(...LOG_LENGTHSCALE)),
            rng.uniform(...LOG_SIGNAL),
            rng.uniform(...LOG_NOISE),
          ];
    const result = nelderMead(negLogPosterior, fixedNoise === undefined ? start : start.slice(0, dims + 1), {
      maxIterations: 150 * (dims + 2),
    });
    if (!best || result.value < best.value) best = result;
  }
  return unpack(best!.x);
}
