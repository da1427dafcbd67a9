/**
 * Stationary covariance functions of a scaled distance. Inputs are divided by one lengthscale
 * per dimension (ARD), so a dimension the objective barely depends on can get a long lengthscale
 * and stop driving the posterior variance.
 */
export type KernelName = 'matern52' | 'rbf';

/** k(r) / signalVariance for a scaled distance r = |(x - x') / lengthscales|. */
const kernelOfDistance: Record<KernelName, (r: number) => number> = {
  rbf: (r) => Math.exp(-0.5 * r * r),
  matern52: (r) => {
    const s = Math.sqrt(5) * r;
    return (1 + s + (s * s) / 3) * Math.exp(-s);
  },
};

/** Scaled Euclidean distance between two points. */
export function scaledDistance(
  a: readonly number[],
  b: readonly number[],
  lengthscales: readonly number[],
): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) {
    const diff = (a[d] - b[d]) / lengthscales[d];
    sum += diff * diff;
  }
  return Math.sqrt(sum);
}

/**
 * Covariance of two points under `kernel` with the given lengthscales and signal variance.
 *
 * @example
 * kernelValue('matern52', [0], [0.5], [1], 2); // 2 * (1 + sqrt5*0.5 + 5*0.25/3) * exp(-sqrt5*0.5)
 */
export function kernelValue(
  kernel: KernelName,
  a: readonly number[],
  b: readonly number[],
  lengthscales: readonly number[],
  signalVariance: number,
): number {
  return signalVariance * kernelOfDistance[kernel](scaledDistance(a, b, lengthscales));
}

export const KERNEL_NAMES: readonly KernelName[] = Object.keys(kernelOfDistance) as KernelName[];
