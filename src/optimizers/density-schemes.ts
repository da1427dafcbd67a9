import { InvalidArgumentError } from '../errors.js';
import type { Scheme } from '../schemes/scheme.js';

/** A scheme that can be re-targeted to another density (Prune, FilterPrune, Compose, ...). */
export interface DensityScheme extends Scheme {
  withDensity(d: number): Scheme;
}

/** Whether `s` has `withDensity`. */
export function hasWithDensity(s: Scheme): s is DensityScheme {
  return typeof (s as Partial<DensityScheme>).withDensity === 'function';
}

/** `scheme` at density `d`; a typed error naming the alternative when it cannot be re-targeted. */
export function schemeAtDensity(scheme: Scheme, d: number, who: string): Scheme {
  if (!hasWithDensity(scheme)) {
    throw new InvalidArgumentError(
      `${who} needs a scheme with withDensity(d) (e.g. Prune, FilterPrune); '${scheme.kind}' has none: pass \`schemes\` (one per round) instead`,
    );
  }
  return scheme.withDensity(d);
}

/** The density a scheme was built with (`toJSON().density`), or undefined. */
export function schemeDensity(scheme: Scheme): number | undefined {
  const d = (scheme as { density?: unknown }).density ?? scheme.toJSON().density;
  return typeof d === 'number' ? d : undefined;
}
