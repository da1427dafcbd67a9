import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, LayerError } from '../errors.js';
import { importanceScores, structureCount } from '../importance/index.js';
import { getWeightVariable } from '../pruning/state.js';
import type { Calibration, ImportanceOptions, ImportanceOrCriteria } from '../importance/index.js';
import { disposeSnapshot, restoreSnapshot, takeSnapshot } from '../optimizers/snapshot.js';
import { FilterPrune, NeuronPrune, Prune } from '../schemes/index.js';
import type { Scheme } from '../schemes/index.js';
import type { SensitivityProfile } from './per-layer-search.js';

/** Options of {@link sensitivity}. */
export interface SensitivityOptions {
  /** Layers to probe (names); default every Conv2D and Dense layer except the output layer. */
  layers?: string[];
  /** Fractions REMOVED to probe, each in [0, 1) (default 0.1, 0.2, ..., 0.9). */
  sparsities?: number[];
  /**
   * 'structure' (default): filters of a conv, neurons of a dense layer, ranked by `importance`;
   * 'weight': unstructured magnitude pruning of the kernel (Han et al.'s setting).
   */
  granularity?: 'structure' | 'weight';
  /** How structures are ranked (default 'l2'); computed once per layer on the dense model. */
  importance?: ImportanceOrCriteria;
  /** Calibration examples for data-driven importance. */
  data?: Calibration;
  /** Options of the importance (seed, batchSize, flopsLambda, bins, loss). */
  importanceOptions?: Omit<ImportanceOptions, 'data'>;
  /** The metric, higher is better (e.g. validation accuracy). */
  evaluate: (model: tf.LayersModel) => number | Promise<number>;
  /** Called after each probe (progress). */
  onProbe?: (layer: string, sparsity: number, metric: number) => void;
  /**
   * Run each probe elsewhere (e.g. as a queued job whose worker calls {@link sensitivityProbe}):
   * `(layer, density)` resolves with the metric, `density` being `1 - sparsity`. Every probe is
   * started at once, so parallel workers share them; this process only measures the baseline.
   */
  probe?: (layer: string, density: number) => Promise<number>;
}

/** A sensitivity profile: plain JSON. */
export interface SensitivityAnalysis {
  /** The metric of the dense model. */
  baseline: number;
  granularity: 'structure' | 'weight';
  importance: string;
  layers: Array<{ layer: string; points: Array<{ sparsity: number; metric: number }> }>;
}

const DEFAULT_SPARSITIES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

function defaultLayers(model: tf.LayersModel): string[] {
  const outputs = new Set(model.outputs.map((o) => o.sourceLayer.name));
  return model.layers
    .filter((l) => ['Conv2D', 'Dense'].includes(l.getClassName()) && !outputs.has(l.name))
    .map((l) => l.name);
}

/**
 * Han et al.'s sensitivity analysis ("Learning both Weights and Connections"): for each layer
 * alone (all other layers dense), the metric at each sparsity. The model is restored exactly
 * (weights and any existing masks) after every probe and is unchanged at the end. Structured
 * probes rank with `importance`, scored once per layer on the dense model, so a data-driven
 * criterion costs one pass, not one per probe.
 *
 * @example
 * ```ts
 * const profile = await sensitivity(model, {
 *   sparsities: [0.25, 0.5, 0.75],
 *   importance: 'l1',
 *   evaluate: async (m) => (await evaluate(m, val, resolveLoss('categoricalCrossentropy'))).accuracy,
 * });
 * const densities = hanDensities(profile, { budget: 0.01 }); // FilterPrune({ densities })
 * ```
 */
export async function sensitivity(
  model: tf.LayersModel,
  opts: SensitivityOptions,
): Promise<SensitivityAnalysis> {
  const sparsities = opts.sparsities ?? DEFAULT_SPARSITIES;
  for (const s of sparsities) {
    if (!(typeof s === 'number' && s >= 0 && s < 1)) {
      throw new InvalidArgumentError(
        `sensitivity: each sparsity must be in [0, 1) (fraction removed); got ${s}`,
      );
    }
  }
  const granularity = opts.granularity ?? 'structure';
  const names = opts.layers ?? defaultLayers(model);
  const layers = names.map((n) => {
    const l = model.layers.find((x) => x.name === n);
    if (!l) throw new LayerError(`sensitivity: the model has no layer '${n}'`);
    return l;
  });
  const importance = opts.importance ?? 'l2';
  const name = typeof importance === 'string' ? importance : 'custom';
  if (opts.probe) return remoteSensitivity(model, names, sparsities, granularity, name, opts);
  // Scores of every probed layer, once, on the dense model.
  const scores =
    granularity === 'structure'
      ? importanceScores(model, importance, { ...opts.importanceOptions, data: opts.data, layers })
      : {};
  const snapshot = takeSnapshot(model);
  try {
    const baseline = await opts.evaluate(model);
    const out: SensitivityAnalysis = { baseline, granularity, importance: name, layers: [] };
    for (const layer of layers) {
      const points: Array<{ sparsity: number; metric: number }> = [];
      for (const s of sparsities) {
        let metric = baseline;
        if (s > 0) {
          try {
            probeScheme(layer, 1 - s, granularity, scores).pi(model);
            metric = await opts.evaluate(model);
          } finally {
            restoreSnapshot(model, snapshot);
          }
        }
        points.push({ sparsity: s, metric });
        opts.onProbe?.(layer.name, s, metric);
      }
      out.layers.push({ layer: layer.name, points });
    }
    return out;
  } finally {
    disposeSnapshot(snapshot);
  }
}

/** The probes run by `opts.probe`, all started at once; reported in order. */
async function remoteSensitivity(
  model: tf.LayersModel,
  names: string[],
  sparsities: number[],
  granularity: 'structure' | 'weight',
  importance: string,
  opts: SensitivityOptions,
): Promise<SensitivityAnalysis> {
  const baseline = await opts.evaluate(model);
  const pending = names.map((layer) =>
    sparsities.map((s) => (s > 0 ? opts.probe!(layer, 1 - s) : Promise.resolve(baseline))),
  );
  // Every probe is awaited (none left rejecting unobserved) before the first failure is thrown.
  const settled = await Promise.allSettled(pending.flat());
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const out: SensitivityAnalysis = { baseline, granularity, importance, layers: [] };
  for (const [i, layer] of names.entries()) {
    const points = await Promise.all(
      sparsities.map(async (sparsity, j) => ({ sparsity, metric: await pending[i][j] })),
    );
    points.forEach((p) => opts.onProbe?.(layer, p.sparsity, p.metric));
    out.layers.push({ layer, points });
  }
  return out;
}

/**
 * The scheme of one probe: `layer` alone at `wanted` density. A small layer at a high sparsity
 * would keep nothing: at least one unit is kept (the probe then measures the layer's most
 * pruned state, not a disconnected network).
 */
function probeScheme(
  layer: tf.layers.Layer,
  wanted: number,
  granularity: 'structure' | 'weight',
  scores: ReturnType<typeof importanceScores>,
): Scheme {
  const units =
    granularity === 'weight'
      ? (getWeightVariable(layer, 'kernel').shape as number[]).reduce((a, b) => a * b, 1)
      : structureCount(layer);
  const density = Math.max(wanted, 1 / units);
  const cached = () => scores;
  const base = { include: [layer.name], density, protectOutputs: false };
  if (granularity === 'weight') return new Prune({ include: [layer.name], density });
  if (layer.getClassName() === 'Dense') return new NeuronPrune({ ...base, importance: cached });
  return new FilterPrune({ ...base, importance: cached });
}

/**
 * One probe of {@link sensitivity}, alone: the metric with `layer` pruned to `density` (every
 * other layer dense), ranked as `sensitivity` ranks it. The model is restored afterwards. This
 * is what a queue worker runs for a `probe` job, and gives the metric `sensitivity` records.
 *
 * @example
 * ```ts
 * const metric = await sensitivityProbe(model, 'conv2', 0.5, { importance: 'l1', evaluate });
 * ```
 */
export async function sensitivityProbe(
  model: tf.LayersModel,
  layerName: string,
  density: number,
  opts: Omit<SensitivityOptions, 'layers' | 'sparsities' | 'onProbe' | 'probe'>,
): Promise<number> {
  if (!(typeof density === 'number' && density > 0 && density <= 1)) {
    throw new InvalidArgumentError(`sensitivityProbe: density must be in (0, 1]; got ${density}`);
  }
  const layer = model.layers.find((x) => x.name === layerName);
  if (!layer) throw new LayerError(`sensitivityProbe: the model has no layer '${layerName}'`);
  const granularity = opts.granularity ?? 'structure';
  const scores =
    granularity === 'structure'
      ? importanceScores(model, opts.importance ?? 'l2', {
          ...opts.importanceOptions,
          data: opts.data,
          layers: [layer],
        })
      : {};
  const snapshot = takeSnapshot(model);
  try {
    probeScheme(layer, density, granularity, scores).pi(model);
    return await opts.evaluate(model);
  } finally {
    restoreSnapshot(model, snapshot);
    disposeSnapshot(snapshot);
  }
}

/**
 * Han et al.'s per-layer thresholds from a profile: each layer gets the largest probed sparsity
 * whose metric is within `budget` of the baseline (baseline - metric <= budget), so the most
 * sensitive layers get the smallest sparsity. Returns per-layer DENSITIES (fraction kept), the
 * form `FilterPrune({ densities })`, `NeuronPrune` and `Prune` take.
 *
 * @example
 * ```ts
 * new FilterPrune({ densities: hanDensities(profile, { budget: 0.01 }) }).pi(model);
 * ```
 */
export function hanDensities(profile: SensitivityAnalysis, opts: { budget: number }): Record<string, number> {
  if (!(opts.budget >= 0))
    throw new InvalidArgumentError(`hanDensities: budget must be >= 0; got ${opts.budget}`);
  const out: Record<string, number> = {};
  for (const { layer, points } of profile.layers) {
    let best = 0;
    // The tolerance absorbs float rounding (0.9 - 0.88 > 0.02 in binary).
    for (const p of points) {
      if (profile.baseline - p.metric <= opts.budget + 1e-9 && p.sparsity > best) best = p.sparsity;
    }
    out[layer] = 1 - best;
  }
  return out;
}

/**
 * The profile as CSV: `layer,sparsity,metric,drop` with one row per probe (drop = baseline - metric).
 *
 * @example
 * ```ts
 * writeFileSync('sensitivity.csv', sensitivityCsv(profile));
 * ```
 */
export function sensitivityCsv(profile: SensitivityAnalysis): string {
  const rows = ['layer,sparsity,metric,drop'];
  for (const { layer, points } of profile.layers) {
    for (const p of points) rows.push(`${layer},${p.sparsity},${p.metric},${profile.baseline - p.metric}`);
  }
  return `${rows.join('\n')}\n`;
}

/** Read a profile saved as JSON (validated enough to fail early on another file). */
export function parseSensitivity(json: string): SensitivityAnalysis {
  const p = JSON.parse(json) as SensitivityAnalysis;
  if (typeof p.baseline !== 'number' || !Array.isArray(p.layers)) {
    throw new InvalidArgumentError('not a sensitivity profile: expected { baseline, layers: [...] }');
  }
  return p;
}

/**
 * The analysis in the per-layer search's profile form (densities = 1 - sparsities; a layer's
 * sensitivity = mean metric loss clipped at 0), so `perLayerSearch` can start from a saved
 * analysis (`sensitivities: toSearchProfile(a).sensitivities`) instead of probing again.
 *
 * @example
 * ```ts
 * const { sensitivities } = toSearchProfile(parseSensitivity(readFileSync('sensitivity.json', 'utf8')));
 * ```
 */
export function toSearchProfile(a: SensitivityAnalysis): SensitivityProfile {
  const sparsities = a.layers[0]?.points.map((p) => p.sparsity) ?? [];
  const accuracy: Record<string, number[]> = {};
  const sensitivities: Record<string, number> = {};
  for (const { layer, points } of a.layers) {
    accuracy[layer] = points.map((p) => p.metric);
    sensitivities[layer] =
      points.reduce((sum, p) => sum + Math.max(a.baseline - p.metric, 0), 0) / Math.max(points.length, 1);
  }
  return { densities: sparsities.map((s) => 1 - s), accuracy, sensitivities };
}
