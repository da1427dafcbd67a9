import { constantFields } from './constants.js';
import type { DependencyGraph } from './dependency-graph.js';
import { type ConstField, forEachEntry } from '../core/layer-kinds/index.js';

/** What compaction will remove. */
export interface CompactionPlan {
  /** Per channel group (root id): which channels stay. Groups absent are kept whole. */
  keep: Map<number, boolean[]>;
  /** Constants held by every tensor (see constantFields). */
  constants: Map<number, ConstField>;
  /** One line per group that loses channels. */
  removed: Array<{ group: number; layers: string[]; size: number; removed: number }>;
  /**
   * Groups with pruned (constant) channels that are kept anyway, and why: a layer kind that cannot
   * go without them (unknown class, LayerNormalization, a merge of differently grouped inputs...),
   * or a model input/output.
   */
  pinned: Array<{ group: number; layers: string[]; channels: number; reasons: string[] }>;
}

/**
 * Decide which channels compaction removes. A channel of a group is removed when, in EVERY tensor
 * that carries the group, it holds a constant (its producing weights are all zero/masked, in every
 * branch of a residual stage), and every layer that sums over it can fold that constant into its
 * bias exactly ('valid' convolutions and Dense always can; 'same' convolutions only a zero).
 * Pinned groups (model input, model output, softmax, layers that couple or hide channels) are kept
 * whole and listed in `pinned` with why. At least one channel of a group is always kept, so no
 * layer ends up with zero filters.
 *
 * @example
 * ```ts
 * const plan = planCompaction(dependencyGraph(model));
 * for (const r of plan.removed) console.log(r.layers.join('+'), `${r.removed}/${r.size}`);
 * ```
 */
export function planCompaction(graph: DependencyGraph): CompactionPlan {
  const constants = constantFields(graph);
  const removable = new Map<number, boolean[]>();
  for (const root of graph.spaces.roots()) removable.set(root, new Array(graph.spaces.size(root)).fill(true));

  for (const t of graph.tensors) {
    const field = constants.get(t.id)!;
    forEachEntry(t.layout, graph.spaces, (e, s, c) => {
      const r = removable.get(s)!;
      if (!r[c]) return;
      if (field.varying[e]) {
        r[c] = false;
        return;
      }
      for (const consumer of t.consumers) {
        const fold = consumer.kind?.canFold;
        if (fold && !fold(consumer.config, field.values[e])) r[c] = false;
      }
    });
  }

  const keep = new Map<number, boolean[]>();
  const removed: CompactionPlan['removed'] = [];
  const pinned: CompactionPlan['pinned'] = [];
  const groups = new Map(graph.groups().map((g) => [g.id, g]));
  for (const [root, r] of removable) {
    const count = r.filter(Boolean).length;
    if (count === 0) continue;
    const group = groups.get(root);
    if (!group) continue; // a space no tensor carries (e.g. a replaced input seed)
    const pins = graph.spaces.pinsOf(root);
    if (pins.length > 0) {
      const reasons = pins.map((p) =>
        p.blockingLayer
          ? `layer '${p.blockingLayer.name}' (${p.blockingLayer.className}): ${p.reason}`
          : p.reason,
      );
      pinned.push({ group: root, layers: group.layers, channels: count, reasons: [...new Set(reasons)] });
      continue;
    }
    if (count === r.length) r[0] = false;
    keep.set(
      root,
      r.map((x) => !x),
    );
    removed.push({ group: root, layers: group.layers, size: r.length, removed: r.filter(Boolean).length });
  }
  return { keep, constants, removed, pinned };
}
