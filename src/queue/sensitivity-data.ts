import type * as tf from '@tensorflow/tfjs';
import { splitValidation, stratifiedSubset, toTensors } from '../data/index.js';
import type { Batch } from '../training/batch-stream.js';
import { datasetRecipe } from '../training/datasets.js';

/** The tensors a sensitivity analysis reads: where accuracy is measured, and importance's data. */
export interface SensitivityData {
  val: Batch;
  calibration: Batch;
  dispose: () => void;
}

/**
 * The evaluation and calibration images of `condensa sensitivity`, from the seed alone: `val`
 * images held out of the training set (or, `on: 'test'`, a stratified subset of the test set)
 * and a stratified subset of about `calibration` training images. A queue worker rebuilds the
 * same tensors from a probe job's recipe with this same function, so its probes measure what
 * an in-process analysis measures.
 *
 * @example
 * const data = await sensitivityData('mnist', { val: 500, calibration: 128, seed: 0 });
 */
export async function sensitivityData(
  dataset: string,
  o: { val: number; calibration: number; seed: number; on?: 'val' | 'test' },
): Promise<SensitivityData> {
  const recipe = datasetRecipe(dataset);
  const data = await recipe.load();
  const numClasses = data.classes.length;
  const norm = { normalize: 'standard', mean: recipe.mean, std: recipe.std, numClasses } as const;
  const { train, val } = splitValidation(data.train, { count: o.val, seed: o.seed });
  const perClass = Math.max(1, Math.floor(o.calibration / numClasses));
  const calibration = toTensors(stratifiedSubset(train, { perClass, seed: o.seed }), norm);
  const measured =
    o.on === 'test'
      ? stratifiedSubset(data.test, { perClass: Math.max(1, Math.floor(o.val / numClasses)), seed: o.seed })
      : val;
  const out = { val: toTensors(measured, norm), calibration };
  return {
    ...out,
    dispose: () =>
      Object.values(out).forEach((b) => (Object.values(b) as tf.Tensor[]).forEach((t) => t.dispose())),
  };
}
