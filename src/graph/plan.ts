import { LayerError } from '../errors.js';
import { constantFields } from './constants.js';
import type { DependencyGraph } from './dependency-graph.js';
import { forEachEntry } from './layout.js';
import type { ConstField } from './registry.js';

/** What compaction will remove. */
export interface CompactionPlan {
  /** Per channel group (root id): which channels stay. Groups absent are kept whole. */
  keep: Map<number, boolean[]>;
  /** Constants held by every tensor (see constantFields). */
  constants: Map<number, ConstField>;
  /** One line per group that loses channels. */
  removed: Array<{ group: number; layers: string[]; size: number; removed: number }>;
}

/**
 * Decide which channels compaction removes. A channel of a group is removed when, in EVERY tensor
 * that carries the group, it holds a constant (its producing weights are all zero/masked, in every
 * branch of a residual stage), and every layer that sums over it can fold that constant into its
 * bias exactly ('valid' convolutions and Dense always can; 'same' convolutions only a zero).
 * Pinned groups (model input, model output, softmax) are kept whole. At least one channel of a
 * group is always kept, so no layer ends up with zero filters.
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
  const groups = new Map(graph.groups().map((g) => [g.id, g]));
  for (const [root, r] of removable) {
    const count = r.filter(Boolean).length;
    if (count === 0) continue;
    const group = groups.get(root)!;
    const pins = graph.spaces.pinsOf(root);
    if (pins.some((p) => !p.blockingLayer)) continue;
    const blocker = pins.find((p) => p.blockingLayer);
    if (blocker) {
      const b = blocker.blockingLayer!;
      throw new LayerError(
        `cannot remove ${count} pruned channel(s) of ${describe(group.layers)}: layer '${b.name}' (${b.className}) ` +
          `consumes them and ${blocker.reason}`,
      );
    }
    if (count === r.length) r[0] = false;
    keep.set(
      root,
      r.map((x) => !x),
    );
    removed.push({ group: root, layers: group.layers, size: r.length, removed: r.filter(Boolean).length });
  }
  return { keep, constants, removed };
}

function describe(layers: string[]): string {
  return layers.length === 1 ? `layer '${layers[0]}'` : `layers ${layers.map((l) => `'${l}'`).join(', ')}`;
}
