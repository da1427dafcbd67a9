import { initBackend, type BackendName } from '../backend/init.js';
import { stratifiedSubset } from '../data/split.js';
import { InvalidArgumentError } from '../errors.js';
import { saveModel, type SaveModelResult } from '../io/save.js';
import type { WeightQuantization } from '../io/quantize.js';
import { createModel } from '../models/registry.js';
import { datasetRecipe } from './datasets.js';
import { progressPrinter } from './progress.js';
import type { ScheduleKind } from './schedules.js';
import { trainClassifier, type TrainOptimizerKind, type TrainRecord } from './train.js';

export interface TrainRunOptions {
  model: string;
  dataset: string;
  epochs: number;
  /** Directory to save the trained model + record.json in (nothing saved when omitted). */
  out?: string;
  width?: number;
  seed?: number;
  batchSize?: number;
  optimizer?: TrainOptimizerKind;
  lr?: number;
  schedule?: ScheduleKind;
  backend?: BackendName;
  /** Train on `perClass` images of each class (and test on a tenth as many), for quick runs. */
  perClass?: number;
  quantization?: WeightQuantization;
  overwrite?: boolean;
  /** The command line that started the run, kept in the record. */
  command?: string;
  /** Progress lines on stderr (default true). */
  progress?: boolean;
  /** Save after every epoch here and resume from it (see `TrainOptions.checkpointDir`). */
  checkpointDir?: string;
}

export interface TrainRunResult {
  record: TrainRecord & { model: string; dataset: string; width?: number; seed: number; command?: string };
  saved?: SaveModelResult;
}

/**
 * One reference training run end to end, shared by `condensa train` and examples/train.ts:
 * initialise the backend, load the dataset (verified, cached), build the model, train with
 * progress output, evaluate on the test set and save the model with its JSON record.
 *
 * @example
 * ```ts
 * const { record } = await runTraining({ model: 'lenet5', dataset: 'mnist', epochs: 1, out: '/tmp/lenet' });
 * ```
 */
export async function runTraining(opts: TrainRunOptions): Promise<TrainRunResult> {
  const recipe = datasetRecipe(opts.dataset);
  if (opts.perClass !== undefined && !(Number.isInteger(opts.perClass) && opts.perClass > 0)) {
    throw new InvalidArgumentError(`perClass must be a positive integer, got ${opts.perClass}`);
  }
  await initBackend({ backend: opts.backend });
  const full = await recipe.load();
  const data =
    opts.perClass === undefined
      ? full
      : {
          ...full,
          train: stratifiedSubset(full.train, { perClass: opts.perClass, seed: opts.seed ?? 0 }),
          test: stratifiedSubset(full.test, {
            perClass: Math.max(1, Math.ceil(opts.perClass / 10)),
            seed: 0,
          }),
        };
  const model = createModel(opts.model, {
    width: opts.width,
    seed: opts.seed ?? 0,
    inputShape: full.shape,
    classes: full.classes.length,
  });
  try {
    const trained = await trainClassifier({
      model,
      data,
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      optimizer: opts.optimizer,
      lr: opts.lr,
      schedule: opts.schedule,
      mean: recipe.mean,
      std: recipe.std,
      augment: recipe.augment,
      seed: opts.seed ?? 0,
      checkpointDir: opts.checkpointDir,
      onProgress: opts.progress === false ? undefined : progressPrinter(),
    });
    const record = {
      model: opts.model,
      dataset: opts.dataset,
      ...(opts.width !== undefined ? { width: opts.width } : {}),
      seed: opts.seed ?? 0,
      ...trained,
      ...(opts.command ? { command: opts.command } : {}),
    };
    const saved = opts.out
      ? await saveModel(model, opts.out, {
          record,
          quantization: opts.quantization,
          overwrite: opts.overwrite,
        })
      : undefined;
    return { record, saved };
  } finally {
    // The optimizer was passed to compile() as an instance, so model.dispose() leaves it alone.
    model.optimizer?.dispose();
    model.dispose();
  }
}
