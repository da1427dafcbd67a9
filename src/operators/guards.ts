import { InvalidArgumentError } from '../errors.js';
import { alignMaskArray } from './alignMask.js';

/** The default floor under which a layer on the shared threshold is warned about. */
export const DEFAULT_WARN_BELOW = 0.1;

/** Throws unless `v` is a fraction in [0, 1] (the `warnBelow` floor). */
export function checkWarnBelow(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new InvalidArgumentError(
      `${what}: warnBelow must be a fraction in [0, 1] (0: never warn); got ${String(v)}`,
    );
  }
  return v;
}

/**
 * 0/1 keep flags for `scores` at `threshold` (keep where score >= threshold), plus whether the
 * guard had to keep more than the threshold did.
 *
 * With `align`, the survivors are rounded down to a multiple of `align`. Unless `allowEmpty`,
 * a layer never keeps fewer than `min(max(1, align), n)` units: its best-scoring ones. This is
 * where condensa-ts departs from Condensa, whose single global threshold can remove every filter
 * of a layer whose filters are small (few inputs), disconnecting the network.
 */
export function guardedKeep(
  scores: Float32Array,
  threshold: number,
  align: number | undefined,
  allowEmpty: boolean,
): { keep: Uint8Array; guarded: boolean } {
  const keep = Uint8Array.from(scores, (s) => (s >= threshold ? 1 : 0));
  const a = align ?? 1;
  const plain = keep.reduce((n, k) => n + k, 0);
  if (a <= 1 && (allowEmpty || plain > 0)) return { keep, guarded: false };
  const out = Uint8Array.from(alignMaskArray(scores, keep, a, { allowEmpty }, 'align'));
  return { keep: out, guarded: out.reduce((n, k) => n + k, 0) > plain };
}

/** How a warning names what it is about and what the user can do (defaults: a scheme's layer). */
export interface WarningWording {
  /** What decided the cut (default 'the global threshold'). */
  by?: string;
  /** What to do about it (default: give the layer its own density, or allow empty layers). */
  remedy?: string;
}

/** `'a'`, or `'a' + 'b'` for the producers of one channel group (they share the channels). */
export function quoteLayers(layer: string | readonly string[]): string {
  return (typeof layer === 'string' ? [layer] : layer).map((n) => `'${n}'`).join(' + ');
}

/** The warning for a layer (or channel group, named by its producers) the guard kept alive. */
export function guardWarning(
  kind: string,
  layer: string | readonly string[],
  unit: string,
  total: number,
  kept: number,
  wording: WarningWording = {},
): string {
  const name = quoteLayers(layer);
  const remedy =
    wording.remedy ??
    `Give it its own density (densities: {${name}: d}) to choose, ` +
      `or allowEmptyLayers: true for Condensa's literal behaviour`;
  return (
    `${kind}: ${wording.by ?? 'the global threshold'} would remove all ${total} ${unit}s of ${name} (or round them to none); ` +
    `it keeps its ${kept} best. ${remedy}`
  );
}

/**
 * The warning for a layer the shared threshold leaves under the floor, or null. The floor is
 * `min(warnBelow, density)`: at a global density of 5%, a layer at 6% is not news.
 */
export function floorWarning(
  kind: string,
  layer: string | readonly string[],
  unit: string,
  counts: { total: number; kept: number },
  floor: number,
  wording: WarningWording = {},
): string | null {
  const { total, kept } = counts;
  if (total === 0 || kept / total >= floor) return null;
  const name = quoteLayers(layer);
  const pct = (x: number): string => `${(100 * x).toPrecision(3)}%`;
  const remedy =
    wording.remedy ?? `give it its own density (densities: {${name}: d}) or exclude it if that is not meant`;
  return (
    `${kind}: ${wording.by ?? 'the global threshold'} leaves ${name} ${kept} of ${total} ${unit}s (${pct(kept / total)}), ` +
    `below the floor ${pct(floor)}; ${remedy}`
  );
}
