import { InvalidArgumentError } from '../errors.js';
import { roundHalfEven } from '../operators/select.js';

/**
 * How much to prune, as in `torch.nn.utils.prune`: a fraction in [0, 1] of the entries (or
 * slices), or an absolute count. JavaScript has one number type, so a plain number is a count
 * when it is an integer > 1 and a fraction otherwise (`1` = everything, as PyTorch's `1.0`);
 * `{ count: 1 }` / `{ fraction: x }` say it explicitly.
 */
export type Amount = number | { count: number } | { fraction: number };

/** A validated amount. */
export type ParsedAmount = { count: number } | { fraction: number };

/** Validate `amount` (PyTorch's init-time checks): negative, or a fraction > 1, is an error. */
export function parseAmount(amount: Amount, what: string): ParsedAmount {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(
      `${what}: amount ${JSON.stringify(amount)} ${why}; accepted: a fraction in [0, 1], an integer count >= 0 (an integer > 1 is a count), or { count } / { fraction }`,
    );
  };
  if (typeof amount === 'number') {
    if (!Number.isFinite(amount) || amount < 0) return bad('is not a finite number >= 0');
    if (amount <= 1) return { fraction: amount };
    if (!Number.isInteger(amount)) return bad('is a fraction greater than 1');
    return { count: amount };
  }
  if (amount && typeof amount === 'object' && 'count' in amount) {
    if (!Number.isInteger(amount.count) || amount.count < 0)
      return bad('has a count that is not an integer >= 0');
    return { count: amount.count };
  }
  if (amount && typeof amount === 'object' && 'fraction' in amount) {
    if (!(amount.fraction >= 0 && amount.fraction <= 1)) return bad('has a fraction outside [0, 1]');
    return { fraction: amount.fraction };
  }
  return bad('is not a number, { count } or { fraction }');
}

/**
 * Number of entries (or slices) to prune out of `size`: round-half-to-even of fraction * size,
 * as Python's `round`; a count larger than `size` is an error (PyTorch's compute-time check).
 */
export function pruneCount(amount: ParsedAmount, size: number, what: string): number {
  const count = 'count' in amount ? amount.count : roundHalfEven(amount.fraction * size);
  if (count > size) {
    throw new InvalidArgumentError(
      `${what}: amount ${count} is more than the ${size} prunable units; accepted: a count in 0..${size} or a fraction in [0, 1]`,
    );
  }
  return count;
}
