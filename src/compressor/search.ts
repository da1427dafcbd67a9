import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { compact, prunedFlops } from '../graph/index.js';
import { Minimize, params, type SearchGoal } from '../objectives/index.js';
import { DirectCompression } from '../optimizers/direct-compression.js';
import type { Data } from '../training/batch-stream.js';
import { hasWithDensity, schemeDensity } from '../optimizers/density-schemes.js';
import { evaluate } from '../training/evaluate.js';
import { resolveLoss, type LossSpec } from '../training/loss.js';
import type { RecoveryOptimizer } from '../optimizers/recovery-optimizer.js';
import { disposeModel } from '../optimizers/snapshot.js';
import { StructuredScheme, schemeFromSpec } from '../schemes/index.js';
import type { Scheme } from '../schemes/scheme.js';
import {
  globalSearch,
  perLayerSearch,
  type Density,
  type Sample,
  type SampleOutcome,
  type SearchResult,
  type SparsityCost,
  weightedCost,
} from '../search/index.js';
import { resolveEps, type CompressorSearchOptions, type SearchReport } from './search-options.js';

/** The Compressor's options the search reads. */
export interface SearchHostOptions extends CompressorSearchOptions {
  model: tf.LayersModel;
  scheme: Scheme;
  optimizer: RecoveryOptimizer;
  valData: Data;
  loss: LossSpec;
  seed?: number;
  signal?: AbortSignal;
  evalBatchSize?: number;
}

/** Compress the Compressor's model with `scheme` and `optimizer` (no search); the caller owns `.model`. */
export type CompressFn<R extends { model: tf.LayersModel; val: { accuracy: number } }> = (
  scheme: Scheme,
  optimizer: RecoveryOptimizer,
  final: boolean,
) => Promise<R>;

/**
 * Whether the Compressor searches the density: an objective is given, or the scheme has
 * neither a global density nor per-layer densities (`new FilterPrune()`).
 */
export function wantsSearch(o: SearchHostOptions): boolean {
  if (o.objective !== undefined) return true;
  if (!hasWithDensity(o.scheme)) return false;
  const json = o.scheme.toJSON();
  return schemeDensity(o.scheme) === undefined && json.densities === undefined;
}

/**
 * The sparsity search of the Compressor (Condensa's `objective`/`eps`): measure the
 * original model's validation accuracy and objective, search the density with
 * `globalSearch` (or `perLayerSearch`), where each sample compresses a clone with the cheap
 * `searchOptimizer`, evaluates it on validation data and measures the objective on the model as
 * deployed (compacted for structured schemes); then compress the original once more at the
 * chosen density with the main optimizer. When no sample is feasible the result says so and
 * carries the closest sample's model (compressed with the search optimizer only): a costly
 * final compression would be spent on a density already known to miss the budget.
 *
 * @example
 * ```ts
 * const result = await new Compressor({
 *   model, scheme: new FilterPrune(), objective: new searchops.Maximize(objectives.throughput()),
 *   eps: 0.02, budget: 8, optimizer: new LC({ steps: 3 }), trainData, valData, testData,
 *   loss: 'categoricalCrossentropy',
 * }).run();
 * console.log(result.search?.chosenSparsity, result.search?.feasible);
 * ```
 */
export async function searchThenCompress<R extends { model: tf.LayersModel; val: { accuracy: number } }>(
  o: SearchHostOptions,
  compress: CompressFn<R>,
): Promise<R & { search: SearchReport }> {
  const scheme = o.scheme;
  if (!hasWithDensity(scheme)) {
    throw new InvalidArgumentError(
      `the sparsity search needs a scheme with withDensity(d) (Prune, FilterPrune, ...); '${scheme.kind}' has none`,
    );
  }
  const eps = resolveEps(o.eps);
  const mode = o.mode ?? 'global';
  if (mode !== 'global' && mode !== 'per-layer') {
    throw new InvalidArgumentError(`mode must be 'global' or 'per-layer', got ${JSON.stringify(mode)}`);
  }
  const compacted = o.measureCompacted ?? scheme instanceof StructuredScheme;
  const goal: SearchGoal = o.objective ?? new Minimize(compacted ? params() : params({ nonzero: true }));
  const deployed = compacted
    ? { name: `${goal.objective.name}(compact)`, measure: (m: tf.LayersModel) => measureCompact(goal, m) }
    : { name: goal.objective.name, measure: (m: tf.LayersModel) => goal.measure(m) };
  const searchOptimizer = o.searchOptimizer ?? new DirectCompression({ bnImages: 2048 });
  const loss = resolveLoss(o.loss);
  const base = await evaluate(o.model, o.valData, loss, { batchSize: o.evalBatchSize ?? 256 });
  const baseObjective = await goal.measure(o.model);

  // One sample: proxy-compress a clone at the scheme, evaluate, measure the deployed model.
  const measureScheme = async (s: Scheme): Promise<SampleOutcome> => {
    const r = await compress(s, searchOptimizer, false);
    try {
      // An aborted sample holds a partial compression: it must not enter the log as finished.
      o.signal?.throwIfAborted();
      return { accuracy: r.val.accuracy, objective: await deployed.measure(r.model) };
    } finally {
      disposeModel(r.model);
    }
  };
  // With a queue the sample runs on a worker, from the scheme's spec at that density.
  const runSample = (s: Scheme, d: Density): Promise<SampleOutcome> =>
    o.queue ? o.queue.sample(s.toJSON(), d) : measureScheme(s);
  const common = {
    baseAccuracy: base.accuracy,
    eps,
    budget: o.budget ?? 10,
    sMin: o.searchRange?.sMin,
    sMax: o.searchRange?.sMax,
    seed: o.searchSeed ?? o.seed ?? 0,
    direction: goal.direction,
    runDir: o.runDir,
    signal: o.signal,
    onSample: o.onSample,
  };
  let result: SearchResult<Density>;
  let atDensity: (d: Density) => Scheme;
  if (mode === 'global') {
    atDensity = (d) => scheme.withDensity(d as number);
    result = (await globalSearch({
      ...common,
      sample: (d) => runSample(scheme.withDensity(d), d),
      batchSize: o.queue?.batchSize,
    })) as SearchResult<Density>;
  } else {
    const layers = prunableLayers(scheme, o.model);
    atDensity = (d) => withLayerDensities(scheme, d as Record<string, number>);
    result = (await perLayerSearch({
      ...common,
      layers: layers.map((l) => l.name),
      cost: sparsityCost(o.model, layers, compacted),
      // Sensitivity probe: only `layer` compressed (every other layer at density 1).
      profile: async (layer, d) => {
        const map = Object.fromEntries(layers.map((l) => [l.name, l.name === layer ? d : 1]));
        return (await runSample(withLayerDensities(scheme, map), map)).accuracy;
      },
      sample: (d) => runSample(withLayerDensities(scheme, d), d),
    })) as SearchResult<Density>;
  }
  const chosen: Sample<Density> = result.best ?? result.closest;
  const finalScheme = atDensity(chosen.density);
  const final = result.feasible
    ? await compress(finalScheme, o.optimizer, true)
    : await compress(finalScheme, searchOptimizer, true);
  const search: SearchReport = {
    mode,
    samples: result.samples,
    feasible: result.feasible,
    chosenDensity: chosen.density,
    chosenSparsity: chosen.sparsity,
    chosen,
    baseAccuracy: base.accuracy,
    threshold: result.threshold,
    baseObjective,
    objectiveName: deployed.name,
    direction: goal.direction,
    message: result.message,
  };
  return { ...final, search };
}

/**
 * What the per-layer search's overall sparsity means. Deployed compacted: the fraction of FLOPs
 * removed, with the coupling between layers (a layer's filters are the next layer's input
 * channels; counting each layer's own FLOPs alone made the CIFAR seedNet search leave conv1
 * nearly dense, although its filters carry most of conv2's FLOPs, and its "26.1%" removed
 * 38.6% of the real FLOPs). Otherwise: the fraction of the layers' parameters removed (what
 * unstructured pruning removes).
 */
function sparsityCost(model: tf.LayersModel, layers: tf.layers.Layer[], compacted: boolean): SparsityCost {
  if (compacted) {
    const flopsAt = prunedFlops(model);
    const dense = flopsAt({});
    return (sparsities) =>
      1 - flopsAt(Object.fromEntries(Object.entries(sparsities).map(([l, v]) => [l, 1 - v]))) / dense;
  }
  return weightedCost(Object.fromEntries(layers.map((l) => [l.name, l.countParams()])));
}

async function measureCompact(goal: SearchGoal, model: tf.LayersModel): Promise<number> {
  const small = compact(model);
  try {
    return await goal.measure(small);
  } finally {
    small.dispose();
  }
}

/** The layers a per-layer search gives densities to (the scheme's eligible layers). */
function prunableLayers(scheme: Scheme, model: tf.LayersModel): tf.layers.Layer[] {
  const withLayers = scheme as Scheme & { layers?: (m: tf.LayersModel) => tf.layers.Layer[] };
  if (typeof withLayers.layers !== 'function') {
    throw new InvalidArgumentError(
      `per-layer search needs a pruning scheme that lists its layers (Prune, FilterPrune, ...); '${scheme.kind}' does not`,
    );
  }
  const layers = withLayers.layers(model);
  if (layers.length === 0) {
    throw new InvalidArgumentError(`${scheme.kind} compresses no layer of model '${model.name}'`);
  }
  return layers;
}

/** `scheme` with one density per layer, through its JSON spec (every option kept). */
export function withLayerDensities(scheme: Scheme, densities: Record<string, number>): Scheme {
  const json: Record<string, unknown> = { ...scheme.toJSON(), densities: { ...densities } };
  delete json.density;
  return schemeFromSpec(json as Parameters<typeof schemeFromSpec>[0]);
}
