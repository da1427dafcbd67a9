import type * as tf from '@tensorflow/tfjs';
import { splitValidation, stratifiedSubset, toTensors } from '../data/index.js';
import type { Batch } from '../training/batch-stream.js';
import { datasetRecipe } from '../training/datasets.js';

/** Training, validation and test tensors for a compression run. */
export interface RunData {
  train: Batch;
  val: Batch;
  test: Batch;
  dispose: () => void;
}

/**
 * Load a dataset and cut it as `condensa compress` uses it: `val` images held out of the
 * training set, a stratified `train` subset of the rest, the test set (or a stratified `test`
 * subset of it). Every choice is seeded.
 */
export async function loadRunData(
  dataset: string,
  o: { train: number; val: number; test?: number; seed: number },
): Promise<RunData> {
  const recipe = datasetRecipe(dataset);
  const data = await recipe.load();
  const numClasses = data.classes.length;
  const { train, val } = splitValidation(data.train, { count: o.val, seed: o.seed });
  const perClass = Math.max(1, Math.floor(Math.min(o.train, train.count) / numClasses));
  const norm = { normalize: 'standard', mean: recipe.mean, std: recipe.std, numClasses } as const;
  const test =
    o.test === undefined
      ? data.test
      : stratifiedSubset(data.test, { perClass: Math.max(1, Math.floor(o.test / numClasses)), seed: o.seed });
  const out = {
    train: toTensors(stratifiedSubset(train, { perClass, seed: o.seed }), norm),
    val: toTensors(val, norm),
    test: toTensors(test, norm),
  };
  return {
    ...out,
    dispose: () =>
      Object.values(out).forEach((b) => (Object.values(b) as tf.Tensor[]).forEach((t) => t.dispose())),
  };
}

/** The test set of a dataset (or a seeded stratified subset of `count` images) as tensors. */
export async function loadTestData(dataset: string, count?: number, seed = 0): Promise<Batch> {
  const recipe = datasetRecipe(dataset);
  const data = await recipe.load();
  const numClasses = data.classes.length;
  const test =
    count === undefined
      ? data.test
      : stratifiedSubset(data.test, { perClass: Math.max(1, Math.floor(count / numClasses)), seed });
  return toTensors(test, { normalize: 'standard', mean: recipe.mean, std: recipe.std, numClasses });
}
