import { InvalidArgumentError } from '../errors.js';

/** Density = fraction of entries kept; Condensa accepts (0, 1]. */
export function assertDensity(density: number, what = 'density'): void {
  if (typeof density !== 'number' || !(density > 0 && density <= 1)) {
    throw new InvalidArgumentError(
      `${what} must be a number in (0, 1] (fraction of entries kept), got ${density}`,
    );
  }
}

/** A threshold compares against magnitudes / aggregated scores, so it must be finite and >= 0. */
export function assertThreshold(threshold: number, what: string): void {
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0) {
    throw new InvalidArgumentError(`${what}: threshold must be a finite number >= 0, got ${threshold}`);
  }
}

/** `align` is a positive integer number of structures. */
export function assertAlign(align: number, what: string): void {
  if (!Number.isInteger(align) || align < 1) {
    throw new InvalidArgumentError(`${what}: align must be a positive integer, got ${align}`);
  }
}
