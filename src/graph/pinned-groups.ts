import type * as tf from '@tensorflow/tfjs';
import { type DependencyGraph, dependencyGraph } from './dependency-graph.js';
import {
  type FilterPruneGroupsOptions,
  type GroupPruningResult,
  filterPruneGroups as pruneGroups,
} from './group-pruning.js';

/** A channel group pruning leaves alone, and why. */
export interface PinnedGroup {
  /** Layers that create the channels. */
  producers: string[];
  /** Every layer whose output carries them. */
  layers: string[];
  size: number;
  /** Why (model input/output, a layer that couples or hides channels...), each naming its layer. */
  reasons: string[];
}

/**
 * The channel groups with producers that may not be pruned, and why: the channels a model keeps
 * whatever the density.
 *
 * @example
 * ```ts
 * for (const g of pinnedGroups(dependencyGraph(model))) console.log(g.producers, g.reasons);
 * ```
 */
export function pinnedGroups(graph: DependencyGraph): PinnedGroup[] {
  return graph
    .groups()
    .filter((g) => g.producers.length > 0 && g.pins.length > 0)
    .map((g) => ({
      producers: g.producers,
      layers: g.layers,
      size: g.size,
      reasons: [
        ...new Set(
          g.pins.map((p) =>
            p.blockingLayer
              ? `layer '${p.blockingLayer.name}' (${p.blockingLayer.className}): ${p.reason}`
              : p.reason,
          ),
        ),
      ],
    }));
}

/**
 * `filterPruneGroups`, also listing the groups it had to leave whole (`pinned`, with why), so
 * nothing is skipped silently.
 *
 * @example
 * ```ts
 * const { groups, pinned } = filterPruneGroups(model, { density: 0.5 });
 * for (const p of pinned) console.log(`kept ${p.producers.join('+')}: ${p.reasons.join('; ')}`);
 * ```
 */
export function filterPruneGroups(
  model: tf.LayersModel,
  opts: FilterPruneGroupsOptions,
): GroupPruningResult & { pinned: PinnedGroup[] } {
  const result = pruneGroups(model, opts);
  return { ...result, pinned: pinnedGroups(dependencyGraph(model)) };
}
