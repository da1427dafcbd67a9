import type * as tf from '@tensorflow/tfjs';
import { layerKind } from '../core/layer-kinds/index.js';
import { InvalidArgumentError } from '../errors.js';
import { dependencyGraph, filterPruneGroups, pinnedGroups } from '../graph/index.js';
import type { GroupAggregate, GroupGuardOptions, GroupPruningResult, PinnedGroup } from '../graph/index.js';
import { checkGroupGuardOptions } from '../graph/group-guard.js';
import { importanceNeeds, isKnownImportance } from '../importance/index.js';
import type { Calibration, ImportanceOptions, ImportanceOrCriteria } from '../importance/index.js';
import { weightNames } from '../pruning/state.js';
import { checkDensity } from './math.js';
import type { CompressedLayer, ReportingScheme, SchemeReport, SkippedLayer } from './report.js';
import type { WeightRef } from './scheme.js';
import { matchesLayer, selectionToJSON } from './select.js';
import type { LayerPattern } from './select.js';

/**
 * Options of {@link GroupPrune}. `allowEmptyLayers` and `warnBelow` are the structured schemes'
 * guard: each pruned group keeps at least `max(1, align)` channels unless `allowEmptyLayers: true`.
 */
export interface GroupPruneOptions extends GroupGuardOptions {
  /** Fraction of channels kept, in (0, 1]. */
  density?: number;
  /** How channels are scored (default 'l2'): a named importance, a magnitude criteria or a function. */
  importance?: ImportanceOrCriteria;
  /** Calibration examples for data-driven importance; not part of the JSON spec. */
  calibration?: Calibration;
  /** Options passed to the importance (seed, batchSize, flopsLambda, bins, loss). */
  importanceOptions?: Omit<ImportanceOptions, 'data'>;
  /** How a channel's score combines its producers' filter scores (default 'sum'; see `groupImportance`). */
  aggregate?: GroupAggregate;
  /** Each group keeps a multiple of `align` channels. */
  align?: number;
  /** 'global' (default): one threshold over all groups; 'group': each group keeps density * size. */
  scope?: 'global' | 'group';
  /** Layer classes whose channel groups are pruned (default ['Conv2D']: filter pruning). */
  producers?: string[];
  /** Only groups whose producers all match one of these patterns are pruned. */
  include?: LayerPattern[];
  /** Groups with a producer matching one of these are left alone. */
  exclude?: LayerPattern[];
  /** As `exclude` (Condensa's name). */
  noCompress?: LayerPattern[];
}

/**
 * Group-aware filter pruning: channels are ranked and removed per channel GROUP of the dependency
 * graph (`src/graph/`), so channels coupled by a residual add are pruned together in every branch,
 * and the batch-norm / depthwise parameters carrying a removed channel are masked with it. The
 * pruned model is ready for `compact`. Usable by the Compressor, the optimizers and the sparsity
 * search (`withDensity`).
 *
 * One global threshold over groups whose scores differ in scale by layer (FPGM, or a stem with
 * few inputs) can cut every channel of a group; like FilterPrune, each pruned group keeps at
 * least `max(1, align)` channels, its best by group score, and `lastReport` warns about it
 * (`allowEmptyLayers: true` restores the literal cut). A group the global threshold leaves under
 * `warnBelow` (default 10%, never above the density) is warned about too. `lastReport` lists the
 * producers of every pruned group (unit 'channel'), and skips the producers of pinned groups
 * with why; `compressWithReport` returns it.
 *
 * @example
 * ```ts
 * const model = resnet20({ width: 0.5 });
 * new GroupPrune({ density: 0.5, importance: 'l1', aggregate: 'sum' }).pi(model);
 * const small = compact(model);
 *
 * const report = compressWithReport(new GroupPrune({ density: 0.3, importance: 'fpgm' }), seedNet({ width: 0.125 }));
 * report.warnings; // ["GroupPrune: the global threshold would remove all 32 channels of 'conv1' ..."]
 * ```
 */
export class GroupPrune implements ReportingScheme {
  readonly kind = 'GroupPrune';
  private readonly options: GroupPruneOptions;
  private report: SchemeReport | undefined;

  constructor(options: number | GroupPruneOptions = {}) {
    const o = typeof options === 'number' ? { density: options } : { ...options };
    if (o.density !== undefined) checkDensity(o.density, 'GroupPrune');
    if (o.importance !== undefined && !isKnownImportance(o.importance)) {
      throw new InvalidArgumentError(`GroupPrune: unknown importance '${String(o.importance)}'`);
    }
    if (o.align !== undefined && (!Number.isInteger(o.align) || o.align < 1)) {
      throw new InvalidArgumentError(`GroupPrune: align must be a positive integer; got ${String(o.align)}`);
    }
    if ('densities' in o) {
      throw new InvalidArgumentError(
        'GroupPrune: per-layer densities are not supported; use scope or include/exclude',
      );
    }
    checkGroupGuardOptions(o, 'GroupPrune');
    this.options = o;
  }

  get density(): number | undefined {
    return this.options.density;
  }

  /** What the last `pi` did (undefined before the first). */
  get lastReport(): SchemeReport | undefined {
    return this.report;
  }

  /** A copy with global density `d` (the search sets densities this way). */
  withDensity(d: number): this {
    checkDensity(d, 'GroupPrune.withDensity');
    return new GroupPrune({ ...this.options, density: d }) as this;
  }

  /** A copy scoring with calibration `data` (for data-driven importance). */
  withCalibration(data: Calibration, examples?: number): this {
    const importanceOptions = {
      ...(examples === undefined ? {} : { examples }),
      ...this.options.importanceOptions,
    };
    return new GroupPrune({ ...this.options, calibration: data, importanceOptions }) as this;
  }

  /** Whether the importance needs calibration data that this scheme was not given. */
  needsCalibration(): boolean {
    return (
      this.options.calibration === undefined && importanceNeeds(this.options.importance ?? 'l2') !== 'none'
    );
  }

  /** Whether `layer` is one this scheme prunes the channels of (class and selection). */
  private meantFor(layer: tf.layers.Layer): boolean {
    const classes = this.options.producers ?? ['Conv2D'];
    const any = (list?: LayerPattern[]) => (list ?? []).some((p) => matchesLayer(layer, p));
    return (
      classes.includes(layer.getClassName()) &&
      (this.options.include === undefined || any(this.options.include)) &&
      !any(this.options.exclude) &&
      !any(this.options.noCompress)
    );
  }

  /** Whether the group made by `producers` is pruned by this scheme: all its producers are meant for it. */
  private includes(producers: string[], model: tf.LayersModel): boolean {
    return producers.every((p) => this.meantFor(model.getLayer(p)));
  }

  pi(model: tf.LayersModel): void {
    if (this.options.density === undefined) {
      throw new InvalidArgumentError(
        'GroupPrune has no density: construct it with { density } or call withDensity(d)',
      );
    }
    const result = filterPruneGroups(model, {
      density: this.options.density,
      importance: this.options.importance,
      calibration: this.options.calibration,
      importanceOptions: this.options.importanceOptions,
      aggregate: this.options.aggregate,
      align: this.options.align,
      scope: this.options.scope,
      allowEmptyLayers: this.options.allowEmptyLayers,
      warnBelow: this.options.warnBelow,
      reportAs: this.kind,
      include: (g) => this.includes(g.producers, model),
    });
    this.report = {
      scheme: this.kind,
      compressed: this.compressedLayers(model, result),
      skipped: this.skippedOf(model, result.pinned),
      warnings: result.warnings,
    };
  }

  /** One report entry per producer of a pruned group, with the group's counts. */
  private compressedLayers(model: tf.LayersModel, result: GroupPruningResult): CompressedLayer[] {
    return result.groups.flatMap((g) =>
      g.producers.map((name) => {
        const layer = model.getLayer(name);
        const present = weightNames(layer);
        const channelWeights = layerKind(layer.getClassName())?.channelWeights ?? [];
        return {
          layer: name,
          className: layer.getClassName(),
          weights: channelWeights.map((w) => w.name).filter((w) => present.includes(w)),
          unit: 'channel',
          total: g.size,
          kept: g.kept,
          density: g.size > 0 ? g.kept / g.size : 1,
          ownDensity: this.options.scope === 'group',
          guarded: g.guarded,
        };
      }),
    );
  }

  /** The producers this scheme is meant for whose channels are pinned (kept whole), and why. */
  private skippedOf(model: tf.LayersModel, pinned: PinnedGroup[]): SkippedLayer[] {
    return pinned.flatMap((g) =>
      g.producers
        .map((name) => model.getLayer(name))
        .filter((layer) => this.meantFor(layer))
        .map((layer) => ({
          layer: layer.name,
          className: layer.getClassName(),
          cause: g.reasons.includes('model output') ? ('output' as const) : ('unsupported' as const),
          reason: `its ${g.size} channels are pinned (kept whole): ${g.reasons.join('; ')}`,
        })),
    );
  }

  /** The producers this scheme is meant for but leaves whole because their channel group is pinned. */
  skippedLayers(model: tf.LayersModel): SkippedLayer[] {
    return this.skippedOf(model, pinnedGroups(dependencyGraph(model)));
  }

  /** None: GroupPrune has no `strict` option (`compressWithReport(..., { strict: true })` still refuses). */
  refusedLayers(_model: tf.LayersModel): SkippedLayer[] {
    return [];
  }

  delta(_model: tf.LayersModel): void {}

  targets(model: tf.LayersModel): WeightRef[] {
    const graph = dependencyGraph(model);
    const out: WeightRef[] = [];
    const seen = new Set<string>();
    for (const g of graph.groups()) {
      if (g.pins.length > 0 || g.producers.length === 0 || !this.includes(g.producers, model)) continue;
      for (const name of g.layers) {
        const node = graph.node(name);
        for (const { name: w } of node.kind?.channelWeights ?? []) {
          const key = `${name}/${w}`;
          if (seen.has(key) || !weightNames(node.layer).includes(w)) continue;
          seen.add(key);
          out.push({ layer: node.layer, name: w });
        }
      }
    }
    return out;
  }

  toJSON(): Record<string, unknown> {
    const { density, importance, importanceOptions, aggregate, align, scope, producers } = this.options;
    const { allowEmptyLayers, warnBelow } = this.options;
    const { loss: _loss, ...jsonOptions } = importanceOptions ?? {};
    const out = {
      scheme: this.kind,
      density,
      importance: typeof importance === 'string' ? importance : undefined,
      importanceOptions: Object.keys(jsonOptions).length > 0 ? jsonOptions : undefined,
      aggregate,
      align,
      scope,
      producers,
      allowEmptyLayers,
      warnBelow,
    };
    return {
      ...Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)),
      ...selectionToJSON(this.options),
    };
  }
}
