import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { Compressor } from '../compressor/compressor.js';
import { splitValidation, stratifiedSubset, toTensors } from '../data/index.js';
import { InvalidArgumentError } from '../errors.js';
import { compact } from '../graph/index.js';
import { flops, modelBytes, params, type Objective } from '../objectives/index.js';
import { DirectCompression, FineTune, LC } from '../optimizers/index.js';
import type { Data } from '../training/batch-stream.js';
import type { RecoveryOptimizer } from '../optimizers/recovery-optimizer.js';
import { disposeModel } from '../optimizers/snapshot.js';
import { schemeFromSpec } from '../schemes/index.js';
import { datasetRecipe } from '../training/datasets.js';
import { canonicalJson } from './job-id.js';
import type { DataRecipe, ObjectiveSpec, OptimizerSettings, SampleJob } from './jobs.js';
import { ModelCache } from './model-ref.js';
import type { JobHandler } from './worker.js';

/**
 * Objectives a sample job may name. Only properties of the model itself: a worker measuring
 * throughput would report its own machine's speed, and samples from different machines would
 * not compare (measure throughput on the coordinator's machine instead).
 */
const OBJECTIVES: Record<ObjectiveSpec['name'], () => Objective> = {
  params: () => params(),
  'nonzero-params': () => params({ nonzero: true }),
  flops: () => flops(),
  'model-bytes': () => modelBytes(),
};

/** The recovery optimizer a job names (validated). */
export function optimizerFromSettings(s: OptimizerSettings): RecoveryOptimizer {
  const iterations = s?.iterations ?? 200;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new InvalidArgumentError(`optimizer.iterations must be an integer >= 1, got ${s?.iterations}`);
  }
  switch (s?.kind) {
    case 'direct':
      return new DirectCompression({ bnImages: 2048 });
    case 'finetune':
      return new FineTune({ iterations });
    case 'lc':
      return new LC({
        steps: s.steps ?? 4,
        firstLIterations: iterations,
        perLIterations: iterations,
        fineTuneIterations: iterations,
      });
    default:
      throw new InvalidArgumentError(
        `optimizer.kind must be 'direct', 'finetune' or 'lc', got ${JSON.stringify(s?.kind)}`,
      );
  }
}

interface Tensors {
  train: Data;
  val: Data;
}

/**
 * Rebuilds each data recipe once per worker: the same dataset, validation split and training
 * subset as the coordinator, from the seed alone.
 */
class DataCache {
  private readonly entries = new Map<string, Promise<Tensors>>();

  /** Dispose every cached tensor. */
  async dispose(): Promise<void> {
    for (const entry of this.entries.values()) {
      const t = await entry.catch(() => null);
      if (t) for (const d of [t.train, t.val]) (Object.values(d) as tf.Tensor[]).forEach((x) => x.dispose());
    }
    this.entries.clear();
  }

  get(recipe: DataRecipe, trainCount: number, seed: number): Promise<Tensors> {
    if (recipe?.split !== 'validation') {
      throw new InvalidArgumentError(`data.split must be 'validation', got ${JSON.stringify(recipe?.split)}`);
    }
    const r = datasetRecipe(recipe.dataset);
    const key = canonicalJson({ recipe, trainCount, seed });
    let entry = this.entries.get(key);
    if (!entry) {
      entry = (async () => {
        const data = await r.load();
        const numClasses = data.classes.length;
        const { train, val } = splitValidation(data.train, { count: recipe.count, seed: recipe.seed });
        const perClass = Math.max(1, Math.floor(Math.min(trainCount, train.count) / numClasses));
        const norm = { normalize: 'standard', mean: r.mean, std: r.std, numClasses } as const;
        return {
          train: toTensors(stratifiedSubset(train, { perClass, seed }), norm),
          val: toTensors(val, norm),
        };
      })();
      entry.catch(() => this.entries.delete(key));
      this.entries.set(key, entry);
    }
    return entry;
  }
}

/**
 * The handler of `sample` jobs (`SampleJob`): verify and load the model (cached by hash), rebuild
 * the data, compress a clone with the job's scheme and optimizer, and report the validation
 * accuracy and the objective measured on the model as deployed. Everything is validated before
 * any work, so a bad spec fails in milliseconds and is not retried.
 *
 * @example
 * const w = await startWorker({ redis, handlers: { sample: sampleJobHandler() } });
 */
export function sampleJobHandler(): JobHandler {
  const models = new ModelCache();
  const datasets = new DataCache();
  // The backend starts with the first sample, so a worker serving other kinds never pays for it.
  let backend: Promise<unknown> | null = null;
  const handler: JobHandler = async (payload) => {
    const job = payload as SampleJob;
    const scheme = schemeFromSpec(job.scheme);
    const optimizer = optimizerFromSettings(job.optimizer);
    const objective = OBJECTIVES[job.objective?.name];
    if (!objective) {
      throw new InvalidArgumentError(
        `objective.name must be one of ${Object.keys(OBJECTIVES).join(', ')}, got ${JSON.stringify(job.objective?.name)}`,
      );
    }
    const seed = job.optimizer.seed ?? 0;
    const loadStart = Date.now();
    await (backend ??= initBackend());
    const model = await models.get(job.model);
    const { train, val } = await datasets.get(job.data, job.optimizer.trainCount ?? 10_000, seed);
    const loadMs = Date.now() - loadStart;
    const result = await new Compressor({
      model,
      scheme,
      optimizer,
      trainData: train,
      valData: val,
      loss: 'categoricalCrossentropy',
      seed,
    }).run();
    try {
      const measure = objective().measure;
      let value: number;
      if (job.objective.compacted) {
        const small: tf.LayersModel = compact(result.model);
        try {
          value = await measure(small);
        } finally {
          small.dispose();
        }
      } else value = await measure(result.model);
      return {
        accuracy: result.val.accuracy,
        objective: value,
        loadMs,
        runMs: Date.now() - loadStart - loadMs,
      };
    } finally {
      disposeModel(result.model);
    }
  };
  handler.dispose = async () => {
    await models.dispose();
    await datasets.dispose();
  };
  return handler;
}
