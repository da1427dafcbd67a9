export type { Dataset, LoadOptions, ProgressCallback, Split } from './types.js';
export { loadMnist, MNIST_MEAN, MNIST_STD } from './mnist.js';
export { loadFashionMnist, FASHION_MNIST_MEAN, FASHION_MNIST_STD } from './fashion-mnist.js';
export { loadCifar10, CIFAR10_MEAN, CIFAR10_STD } from './cifar10.js';
export { dataRoot } from './cache.js';
export {
  toTensors,
  imageShape,
  type Normalization,
  type NormalizeOptions,
  type ToTensorsOptions,
} from './tensors.js';
export { splitValidation, stratifiedSubset, selectIndices } from './split.js';
export { batchDataset, type BatchTensors, type BatchOptions } from './batch.js';
export { cropAndFlip, CIFAR_CROP_PADDING } from './augment.js';
export { fetchDataset, DATASETS } from './fetch.js';
