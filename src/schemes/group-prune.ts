import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { dependencyGraph, filterPruneGroups } from '../graph/index.js';
import type { DependencyGraph, GroupAggregate, GroupImportance } from '../graph/index.js';
import { importanceNeeds, isKnownImportance } from '../importance/index.js';
import type { Calibration, ImportanceOptions, ImportanceOrCriteria } from '../importance/index.js';
import { weightNames } from '../pruning/state.js';
import { checkDensity } from './math.js';
import type { Scheme, WeightRef } from './scheme.js';
import { matchesLayer, selectionToJSON } from './select.js';
import type { LayerPattern } from './select.js';

/** Options of {@link GroupPrune}. */
export interface GroupPruneOptions {
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
 * @example
 * ```ts
 * const model = resnet20({ width: 0.5 });
 * new GroupPrune({ density: 0.5, importance: 'l1', aggregate: 'sum' }).pi(model);
 * const small = compact(model);
 * ```
 */
export class GroupPrune implements Scheme {
  readonly kind = 'GroupPrune';
  private readonly options: GroupPruneOptions;

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
    this.options = o;
  }

  get density(): number | undefined {
    return this.options.density;
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

  /** Whether the group `g` is pruned by this scheme. */
  private includes(g: GroupImportance | { producers: string[] }, graph: DependencyGraph): boolean {
    const classes = this.options.producers ?? ['Conv2D'];
    const layers = g.producers.map((p) => graph.node(p).layer);
    const any = (l: tf.layers.Layer, list?: LayerPattern[]) => (list ?? []).some((p) => matchesLayer(l, p));
    return layers.every(
      (l) =>
        classes.includes(l.getClassName()) &&
        (this.options.include === undefined || any(l, this.options.include)) &&
        !any(l, this.options.exclude) &&
        !any(l, this.options.noCompress),
    );
  }

  pi(model: tf.LayersModel): void {
    if (this.options.density === undefined) {
      throw new InvalidArgumentError(
        'GroupPrune has no density: construct it with { density } or call withDensity(d)',
      );
    }
    filterPruneGroups(model, {
      density: this.options.density,
      importance: this.options.importance,
      calibration: this.options.calibration,
      importanceOptions: this.options.importanceOptions,
      aggregate: this.options.aggregate,
      align: this.options.align,
      scope: this.options.scope,
      include: (g, graph) => this.includes(g, graph),
    });
  }

  delta(_model: tf.LayersModel): void {}

  targets(model: tf.LayersModel): WeightRef[] {
    const graph = dependencyGraph(model);
    const out: WeightRef[] = [];
    const seen = new Set<string>();
    for (const g of graph.groups()) {
      if (g.pins.length > 0 || g.producers.length === 0 || !this.includes(g, graph)) continue;
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
    };
    return {
      ...Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)),
      ...selectionToJSON(this.options),
    };
  }
}
