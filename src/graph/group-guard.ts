import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_WARN_BELOW, checkWarnBelow, floorWarning, guardWarning } from '../operators/guards.js';

/** The guard options of channel-group pruning (the same as the structured schemes'). */
export interface GroupGuardOptions {
  /**
   * Let a group lose every channel, as one literal global threshold does (default false). By
   * default each pruned group keeps at least `max(1, align)` channels, its best by group score,
   * and a warning says so: scores whose scale differs by layer (FPGM, or a stem with few inputs)
   * otherwise empty a whole group and disconnect the network.
   */
  allowEmptyLayers?: boolean;
  /**
   * Warn when the global threshold leaves a group keeping less than this fraction of its channels
   * (default 0.1; the floor is never above the density; 0 turns it off; not used with scope 'group').
   */
  warnBelow?: number;
}

/** Throws a typed error naming `what` unless the guard options are well formed. */
export function checkGroupGuardOptions(o: GroupGuardOptions, what: string): void {
  if (o.allowEmptyLayers !== undefined && typeof o.allowEmptyLayers !== 'boolean') {
    throw new InvalidArgumentError(
      `${what}: allowEmptyLayers must be true or false; got ${String(o.allowEmptyLayers)}`,
    );
  }
  checkWarnBelow(o.warnBelow, what);
}

/** What the guard decided for one group. */
export interface GroupCut {
  /** Channels kept. */
  kept: number;
  /** Whether the guard kept more channels than the threshold (or the density) asked for. */
  guarded: boolean;
  /** The warning about this group, if any. */
  warning: string | null;
}

/**
 * How many of a group's `size` channels survive when `wanted` would: rounded down to a multiple
 * of `align`, but (unless `allowEmptyLayers`) never below `min(max(1, align), size)`, the same
 * floor as the structured schemes' guard. With the global scope, a group the threshold leaves
 * under `min(warnBelow, density)` is warned about.
 */
export function guardGroupCut(
  group: { producers: readonly string[]; size: number; wanted: number },
  opts: GroupGuardOptions & { align: number; density: number; scope: 'global' | 'group'; kind: string },
): GroupCut {
  const { producers, size, wanted } = group;
  const { align, scope, kind } = opts;
  const rounded = Math.floor(wanted / align) * align;
  const least = opts.allowEmptyLayers ? 0 : Math.min(Math.max(1, align), size);
  const kept = Math.min(size, Math.max(rounded, least));
  const guarded = kept > wanted;
  const by = scope === 'global' ? 'the global threshold' : `density ${opts.density}`;
  if (guarded) {
    const remedy =
      scope === 'global'
        ? "Prune each group to the density (scope: 'group') or leave it out (exclude its producers) to choose, " +
          'or allowEmptyLayers: true for the literal behaviour'
        : 'Raise the density or leave it out (exclude its producers), or allowEmptyLayers: true for the literal behaviour';
    return { kept, guarded, warning: guardWarning(kind, producers, 'channel', size, kept, { by, remedy }) };
  }
  if (scope === 'group') return { kept, guarded, warning: null };
  const floor = Math.min(opts.warnBelow ?? DEFAULT_WARN_BELOW, opts.density);
  const remedy =
    "prune each group to the density (scope: 'group') or exclude its producers if that is not meant";
  return {
    kept,
    guarded,
    warning: floorWarning(kind, producers, 'channel', { total: size, kept }, floor, { by, remedy }),
  };
}
