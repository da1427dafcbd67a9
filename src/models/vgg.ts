import * as tf from '@tensorflow/tfjs';
import { checkInputShape, checkWidth, type ImageShape, scaleWidth, SeededInit } from './init.js';

export interface VggNetOptions {
  /** Multiplies every hidden width. Default 1: 64-64 / 128-128 / 256-256 channels, dense 256. */
  width?: number;
  /** Seed of the weight initialisers. Default 0. */
  seed?: number;
  /** Input [h, w, c]. Default [32, 32, 3] (CIFAR-10). */
  inputShape?: ImageShape;
  /** Output classes. Default 10. */
  classes?: number;
}

/** Channels of the two convolutions in each of the three stages (each stage ends in a 2x2 pool). */
const STAGES = [
  [64, 64],
  [128, 128],
  [256, 256],
];

/**
 * A VGG-style CIFAR network: three stages of two conv(3x3, same, no bias) -> batch norm -> ReLU
 * blocks, each stage closed by a 2x2 max-pool, then dense 256 + ReLU and a softmax. Layers are
 * named `conv{stage}_{i}`, `bn{stage}_{i}`, `relu{stage}_{i}`, `pool{stage}`, `fc1`, `fc2`, so
 * structured pruning sees the conv -> BN pairs it must keep aligned.
 *
 * @example
 * ```ts
 * const model = vggNet({ width: 0.5, seed: 3 });
 * model.predict(tf.zeros([2, 32, 32, 3])); // [2, 10]
 * ```
 */
export function vggNet(opts: VggNetOptions = {}): tf.LayersModel {
  const width = checkWidth(opts.width ?? 1);
  const init = new SeededInit(opts.seed ?? 0);
  const model = tf.sequential({ name: `vgg_${width}` });
  let first = true;
  STAGES.forEach((stage, s) => {
    stage.forEach((channels, i) => {
      const tag = `${s + 1}_${i + 1}`;
      model.add(
        tf.layers.conv2d({
          name: `conv${tag}`,
          filters: scaleWidth(channels, width),
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          kernelInitializer: init.he(),
          ...(first ? { inputShape: checkInputShape(opts.inputShape ?? [32, 32, 3]) } : {}),
        }),
      );
      first = false;
      model.add(tf.layers.batchNormalization({ name: `bn${tag}`, axis: -1 }));
      model.add(tf.layers.reLU({ name: `relu${tag}` }));
    });
    model.add(tf.layers.maxPooling2d({ name: `pool${s + 1}`, poolSize: 2, strides: 2 }));
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({
      name: 'fc1',
      units: scaleWidth(256, width),
      activation: 'relu',
      kernelInitializer: init.he(),
    }),
  );
  model.add(
    tf.layers.dense({
      name: 'fc2',
      units: opts.classes ?? 10,
      activation: 'softmax',
      kernelInitializer: init.glorot(),
    }),
  );
  return model;
}
