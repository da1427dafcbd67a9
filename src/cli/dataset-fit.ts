import type * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { UsageError } from './errors.js';

/** Image shape and class count of each dataset the command line trains on. */
export const DATASET_SHAPES: Readonly<Record<string, { image: number[]; classes: number }>> = {
  mnist: { image: [28, 28, 1], classes: 10 },
  'fashion-mnist': { image: [28, 28, 1], classes: 10 },
  cifar10: { image: [32, 32, 3], classes: 10 },
};

const show = (s: readonly (number | null)[]): string => `[${s.map((d) => d ?? '?').join(', ')}]`;

/**
 * Refuse a model whose input or output does not fit the dataset, before any data is loaded or
 * any training starts (tfjs would fail mid-run with a shape error). Names both shapes and the
 * datasets that would fit.
 */
export function checkModelFitsDataset(model: tf.LayersModel, dataset: string, flag = '--model'): void {
  const want = DATASET_SHAPES[dataset];
  if (!want) return;
  const input = model.inputs[0].shape.slice(1);
  const fits = (image: number[]): boolean =>
    input.length === image.length && input.every((d, i) => d === null || d === image[i]);
  if (!fits(want.image)) {
    const others = Object.entries(DATASET_SHAPES)
      .filter(([, s]) => fits(s.image))
      .map(([name]) => name);
    throw new InvalidArgumentError(
      `${flag} takes images of shape ${show(input)} but --dataset ${dataset} has images of shape ${show(want.image)}; ` +
        (others.length ? `use --dataset ${others.join(' or ')}` : 'use a model built for this dataset'),
    );
  }
  const units = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (units !== null && units !== want.classes) {
    throw new InvalidArgumentError(
      `${flag} predicts ${units} classes but --dataset ${dataset} has ${want.classes}; use a model trained on ${dataset}`,
    );
  }
}

/**
 * Refuse a training subset smaller than one minibatch (the optimizers would fail only after the
 * data is loaded). `--train` images are taken per class, so the count is rounded down.
 */
export function checkTrainSize(train: number, batchSize: number, dataset: string): void {
  const classes = DATASET_SHAPES[dataset]?.classes ?? 1;
  const images = Math.max(1, Math.floor(train / classes)) * classes;
  if (images < batchSize) {
    throw new UsageError(
      `--train ${train} gives ${images} training images, fewer than one batch of --batch-size ${batchSize}; ` +
        `pass --train ${batchSize} or more, or a smaller --batch-size`,
    );
  }
}
