import { InvalidArgumentError } from '../errors.js';
import { datasetDir, ensureFiles, type DatasetFiles } from './acquire.js';
import { CIFAR10_FILES } from './cifar10.js';
import { FASHION_MNIST_FILES } from './fashion-mnist.js';
import { MNIST_FILES } from './mnist.js';
import type { LoadOptions } from './types.js';

/** Every dataset condensa-ts can fetch, by its CLI / cache name. */
export const DATASETS: Record<string, DatasetFiles> = {
  mnist: MNIST_FILES,
  'fashion-mnist': FASHION_MNIST_FILES,
  cifar10: CIFAR10_FILES,
};

/**
 * Makes sure a dataset's verified files are in the cache (fetching what is missing or bad) and
 * says where they are, without decoding them.
 *
 * @example
 * const { dir } = await fetchDataset('cifar10');
 */
export async function fetchDataset(
  name: string,
  opts: LoadOptions = {},
): Promise<{ dir: string; files: { name: string; size: number; sha256: string }[] }> {
  const def = DATASETS[name];
  if (!def) {
    throw new InvalidArgumentError(
      `unknown dataset ${JSON.stringify(name)}; known: ${Object.keys(DATASETS).join(', ')}`,
    );
  }
  await ensureFiles(def, opts);
  return { dir: datasetDir(def, opts), files: def.files };
}
