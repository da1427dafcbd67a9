import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { importanceScores, resolveImportance } from '../importance/index.js';
import type { Calibration, ImportanceOptions, ImportanceOrCriteria } from '../importance/index.js';
import { applyMask } from '../pruning/state.js';
import type { GroupCriteria } from './criteria.js';
import { type DependencyGraph, dependencyGraph } from './dependency-graph.js';
import { type GroupGuardOptions, checkGroupGuardOptions, guardGroupCut } from './group-guard.js';

export interface GroupImportance {
  /** Channel group id (stable for one graph). */
  group: number;
  /** Layers that create the group's channels (several for a residual stage). */
  producers: string[];
  /** Every layer whose output carries the channels. */
  layers: string[];
  /** Importance of each channel: its producers' scores aggregated (default: summed). */
  scores: Float32Array;
}

/** How a channel's score is made from the scores of the producer filters that create it. */
export type GroupAggregate = 'sum' | 'mean' | 'max';

/** Options of {@link groupImportance}. */
export interface GroupImportanceOptions {
  /** Calibration data for data-driven importance ('activation', 'apoz', 'taylor', 'tvs'). */
  calibration?: Calibration;
  /** Options passed to the importance (seed, batchSize, flopsLambda, bins, loss). */
  importanceOptions?: Omit<ImportanceOptions, 'data'>;
  /**
   * 'sum' (default): a channel shared by several producers (a residual stage) matters as much
   * as all of them together, so a stage's channels rank above a lone layer's with equal filters;
   * 'mean': the average producer filter, comparable across groups of different fan-in;
   * 'max': the channel is as important as its most important producer filter.
   */
  aggregate?: GroupAggregate;
}

/**
 * Importance of every prunable channel group: each producer's filter scores come from
 * `importance` (`importanceScores`: a named criterion, a function, or a magnitude criteria; all
 * producers scored in one call, so data-driven criteria run one pass over the calibration data),
 * and each channel aggregates the scores of the filters that create it over all the layers that
 * produce the group (`aggregate`, default 'sum'), so the branches of a residual stage are ranked
 * together. Groups that may not be pruned (model input/output, softmax, unsupported consumers)
 * are left out.
 *
 * @example
 * ```ts
 * for (const g of groupImportance(model, 'l1')) console.log(g.producers, g.scores);
 * groupImportance(model, 'taylor', undefined, { calibration: { xs, ys }, aggregate: 'max' });
 * ```
 */
export function groupImportance(
  model: tf.LayersModel,
  importance: ImportanceOrCriteria = 'l2',
  graph: DependencyGraph = dependencyGraph(model),
  opts: GroupImportanceOptions = {},
): GroupImportance[] {
  const aggregate = opts.aggregate ?? 'sum';
  if (!['sum', 'mean', 'max'].includes(aggregate)) {
    throw new InvalidArgumentError(`aggregate must be 'sum', 'mean' or 'max', got '${String(aggregate)}'`);
  }
  resolveImportance(importance, 'group importance');
  const groups = graph.groups().filter((g) => g.pins.length === 0 && g.producers.length > 0);
  const producers = [...new Set(groups.flatMap((g) => g.producers))];
  const perLayer =
    producers.length === 0
      ? {}
      : importanceScores(model, importance, {
          ...opts.importanceOptions,
          data: opts.calibration,
          layers: producers,
        });
  const out: GroupImportance[] = [];
  for (const g of groups) {
    const acc = new Float64Array(g.size).fill(aggregate === 'max' ? -Infinity : 0);
    const count = new Uint32Array(g.size);
    for (const name of g.producers) {
      const node = graph.node(name);
      const s = perLayer[name];
      graph.entriesOf(node.output, g.id).forEach((entries, c) => {
        for (const e of entries) {
          acc[c] = aggregate === 'max' ? Math.max(acc[c], s[e]) : acc[c] + s[e];
          count[c]++;
        }
      });
    }
    const scores = Float32Array.from(acc, (v, c) =>
      aggregate === 'mean' && count[c] > 0 ? v / count[c] : v,
    );
    out.push({ group: g.id, producers: g.producers, layers: g.layers, scores });
  }
  return out;
}

export interface FilterPruneGroupsOptions extends GroupImportanceOptions, GroupGuardOptions {
  /** Fraction of channels kept, in (0, 1]. */
  density: number;
  /** Magnitude criteria (the older name of `importance`). */
  criteria?: GroupCriteria;
  /** How channels are scored (default 'l2'): see {@link groupImportance}. */
  importance?: ImportanceOrCriteria;
  /**
   * Each group keeps a multiple of `align` channels (rounded down; never below align unless
   * `allowEmptyLayers`). Default 1.
   */
  align?: number;
  /**
   * 'global' (Condensa): one threshold over the scores of all groups, so each group's sparsity
   * follows from a global ranking. 'group': every group keeps round(density * size) channels.
   */
  scope?: 'global' | 'group';
  /** Which prunable groups to prune (default: all), e.g. only those produced by Conv2D layers. */
  include?: (group: GroupImportance, graph: DependencyGraph) => boolean;
  /** Who the warnings name as their author (default 'filterPruneGroups'; GroupPrune passes its kind). */
  reportAs?: string;
}

export interface GroupPruningResult {
  /** Every pruned group; `guarded`: the guard kept more channels than the cut asked for. */
  groups: Array<{ producers: string[]; size: number; kept: number; guarded: boolean }>;
  /** Groups the guard kept alive, and groups the global threshold left under `warnBelow`. */
  warnings: string[];
}

/**
 * Prune whole channel groups: for each pruned channel, mask every coupled weight that carries it
 * (the producing filters and biases of every branch, and the per-channel parameters of the
 * BatchNormalization and DepthwiseConv2D layers on the way), so the channel is exactly zero
 * everywhere and `compact` can remove it whatever the padding. Masks go through
 * src/pruning/state.ts, so fine-tuning with `applyMasks` keeps them.
 *
 * No group loses every channel unless `allowEmptyLayers: true`: a group the threshold would empty
 * keeps its `max(1, align)` best channels, and `warnings` names its producers (as it names the
 * groups the global threshold leaves under `warnBelow`).
 *
 * @example
 * ```ts
 * filterPruneGroups(model, { density: 0.5, criteria: 'l1', align: 8, scope: 'group' });
 * const small = compact(model);
 * const { warnings } = filterPruneGroups(seedNet({ width: 0.0625 }), { density: 0.3, importance: 'fpgm' });
 * // ["filterPruneGroups: the global threshold would remove all 16 channels of 'conv1' ..."]
 * ```
 */
export function filterPruneGroups(model: tf.LayersModel, opts: FilterPruneGroupsOptions): GroupPruningResult {
  const { density, align = 1, scope = 'global' } = opts;
  const importance = opts.importance ?? opts.criteria ?? 'l2';
  if (!(density > 0 && density <= 1)) {
    throw new InvalidArgumentError(`density must be in (0, 1], got ${density}`);
  }
  if (!(Number.isInteger(align) && align >= 1)) {
    throw new InvalidArgumentError(`align must be a positive integer, got ${align}`);
  }
  if (scope !== 'global' && scope !== 'group') {
    throw new InvalidArgumentError(`scope must be 'global' or 'group', got '${scope}'`);
  }
  const kind = opts.reportAs ?? 'filterPruneGroups';
  checkGroupGuardOptions(opts, kind);
  const graph = dependencyGraph(model);
  const include = opts.include ?? (() => true);
  const importances = groupImportance(model, importance, graph, opts).filter((g) => include(g, graph));
  const threshold = scope === 'global' ? globalThreshold(importances, density) : 0;

  // Decide everything first so that a failure leaves the model unchanged.
  const decisions = importances.map((g) => {
    const wanted =
      scope === 'global'
        ? g.scores.filter((s) => s >= threshold).length
        : Math.round(density * g.scores.length);
    const cut = guardGroupCut(
      { producers: g.producers, size: g.scores.length, wanted },
      { align, density, scope, kind, allowEmptyLayers: opts.allowEmptyLayers, warnBelow: opts.warnBelow },
    );
    const order = Array.from(g.scores.keys()).sort((a, b) => g.scores[b] - g.scores[a] || a - b);
    const keep = new Array<boolean>(g.scores.length).fill(false);
    for (const c of order.slice(0, cut.kept)) keep[c] = true;
    return { g, keep, ...cut };
  });

  const masks: Array<{ layer: tf.layers.Layer; name: string; mask: tf.Tensor }> = [];
  try {
    for (const { g, keep, kept } of decisions) {
      if (kept === g.scores.length) continue;
      for (const layerName of g.layers) {
        const node = graph.node(layerName);
        const entriesByChannel = graph.entriesOf(node.output, g.group);
        for (const { name, axis } of node.kind?.channelWeights ?? []) {
          const variable = node.layer.weights.find((w) => w.originalName.endsWith(`/${name}`));
          if (!variable) continue;
          const n = variable.shape[axis] as number;
          const along = new Float32Array(n).fill(1);
          entriesByChannel.forEach((entries, c) => {
            if (!keep[c]) for (const e of entries) along[e] = 0;
          });
          masks.push({
            layer: node.layer,
            name,
            mask: broadcastAlong(along, variable.shape as number[], axis),
          });
        }
      }
    }
    for (const m of masks) applyMask(m.layer, m.name, m.mask);
  } finally {
    tf.dispose(masks.map((m) => m.mask));
  }
  return {
    groups: decisions.map(({ g, kept, guarded }) => ({
      producers: g.producers,
      size: g.scores.length,
      kept,
      guarded,
    })),
    warnings: decisions.flatMap((d) => (d.warning ? [d.warning] : [])),
  };
}

/** Condensa's threshold: the k-th largest score, k = floor(density * n) (at least 1). */
function globalThreshold(importances: GroupImportance[], density: number): number {
  const all = importances.flatMap((g) => Array.from(g.scores)).sort((a, b) => b - a);
  if (all.length === 0) return 0;
  const k = Math.max(1, Math.floor(density * all.length));
  return all[k - 1];
}

/** A mask of `shape` equal to `along[i]` at index i of `axis`. */
function broadcastAlong(along: Float32Array, shape: number[], axis: number): tf.Tensor {
  return tf.tidy(() => {
    const viewShape = shape.map((d, i) => (i === axis ? d : 1));
    return tf.tensor(along, viewShape).mul(tf.ones(shape));
  });
}

/**
 * An `include` filter for `filterPruneGroups`: groups whose producers all have one of `classNames`.
 *
 * @example
 * ```ts
 * filterPruneGroups(model, { density: 0.5, scope: 'group', include: producedBy('Conv2D') });
 * ```
 */
export function producedBy(...classNames: string[]): (g: GroupImportance, graph: DependencyGraph) => boolean {
  return (g, graph) => g.producers.every((p) => classNames.includes(graph.node(p).className));
}
