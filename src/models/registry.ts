import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import type { ImageShape } from './init.js';
import { lenet5 } from './lenet5.js';
import { resnet20 } from './resnet20.js';
import { seedNet } from './seed-net.js';
import { vggNet } from './vgg.js';

/** Options every reference model accepts (models without a width ignore `width`). */
export interface ModelOptions {
  width?: number;
  seed?: number;
  inputShape?: ImageShape;
  classes?: number;
}

/** A reference model: its builder and the dataset it was designed for. */
export interface ModelEntry {
  build: (opts: ModelOptions) => tf.LayersModel;
  /** Dataset name the model is meant for (`condensa train` uses it as the default). */
  dataset: 'mnist' | 'cifar10';
  description: string;
}

/** Reference models by name. */
export const MODELS: Readonly<Record<string, ModelEntry>> = {
  seednet: { build: seedNet, dataset: 'cifar10', description: "the seed's CIFAR-10 Net (width-scalable)" },
  lenet5: { build: lenet5, dataset: 'mnist', description: 'LeNet-5 for 28x28 digits' },
  vgg: { build: vggNet, dataset: 'cifar10', description: 'VGG-style conv-BN-ReLU CIFAR net' },
  resnet20: { build: resnet20, dataset: 'cifar10', description: 'CIFAR ResNet-20 with projection shortcuts' },
};

/** The names `createModel` accepts. */
export function modelNames(): string[] {
  return Object.keys(MODELS);
}

/**
 * Build a reference model by name.
 *
 * @example
 * ```ts
 * const model = createModel('resnet20', { width: 0.5, seed: 1 });
 * ```
 */
export function createModel(name: string, opts: ModelOptions = {}): tf.LayersModel {
  const entry = MODELS[name];
  if (!entry) throw new InvalidArgumentError(`unknown model '${name}'; accepted: ${modelNames().join(', ')}`);
  return entry.build(opts);
}
