import { CIFAR10_MEAN, CIFAR10_STD, loadCifar10 } from '../data/cifar10.js';
import { FASHION_MNIST_MEAN, FASHION_MNIST_STD, loadFashionMnist } from '../data/fashion-mnist.js';
import { loadMnist, MNIST_MEAN, MNIST_STD } from '../data/mnist.js';
import type { Dataset, LoadOptions } from '../data/types.js';
import { InvalidArgumentError } from '../errors.js';

/** How a dataset is loaded and preprocessed for reference training. */
export interface DatasetRecipe {
  load: (opts?: LoadOptions) => Promise<Dataset>;
  mean: number[];
  std: number[];
  augment: 'cifar' | 'none';
}

/** Datasets `condensa train` accepts, by name. */
export const TRAINING_DATASETS: Readonly<Record<string, DatasetRecipe>> = {
  mnist: { load: loadMnist, mean: MNIST_MEAN, std: MNIST_STD, augment: 'none' },
  'fashion-mnist': {
    load: loadFashionMnist,
    mean: FASHION_MNIST_MEAN,
    std: FASHION_MNIST_STD,
    augment: 'none',
  },
  cifar10: { load: loadCifar10, mean: CIFAR10_MEAN, std: CIFAR10_STD, augment: 'cifar' },
};

/** The recipe for a dataset name; throws InvalidArgumentError listing the accepted names. */
export function datasetRecipe(name: string): DatasetRecipe {
  const recipe = TRAINING_DATASETS[name];
  if (!recipe) {
    throw new InvalidArgumentError(
      `unknown dataset '${name}'; accepted: ${Object.keys(TRAINING_DATASETS).join(', ')}`,
    );
  }
  return recipe;
}
