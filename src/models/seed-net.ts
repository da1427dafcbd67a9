import * as tf from '@tensorflow/tfjs';
import { checkInputShape, checkWidth, type ImageShape, scaleWidth, SeededInit } from './init.js';

export interface SeedNetOptions {
  /** Multiplies every hidden width (conv channels and dense units). Default 1 (the seed's Net). */
  width?: number;
  /** Seed of the weight initialisers. Default 0. */
  seed?: number;
  /** Input [h, w, c]. Default [32, 32, 3] (CIFAR-10). */
  inputShape?: ImageShape;
  /** Output classes. Default 10. */
  classes?: number;
}

/**
 * The seed project's CIFAR-10 `Net`, in NHWC: three blocks of 3x3 valid convolution + ReLU,
 * 2x2 max-pool, then batch norm (after the pool, as the seed's forward does), and dense layers
 * 4096 -> 2048 -> 512 -> 10 with a softmax. At width 1 it has the seed's 15,355,402 trainable
 * parameters; `width` scales every hidden width (0.25 gives 64/128/256 channels and a
 * 1024 -> 512 -> 128 -> 10 head, a CPU-sized model).
 *
 * Batch norm uses PyTorch's epsilon (1e-5) and momentum (0.1, i.e. tfjs momentum 0.9) so weights
 * trained in PyTorch convert exactly.
 *
 * @example
 * ```ts
 * const model = seedNet({ width: 0.25, seed: 1 });
 * model.predict(tf.zeros([1, 32, 32, 3])); // [1, 10] class probabilities
 * ```
 */
export function seedNet(opts: SeedNetOptions = {}): tf.LayersModel {
  const width = checkWidth(opts.width ?? 1);
  const init = new SeededInit(opts.seed ?? 0);
  const [c1, c2, c3] = [256, 512, 1024].map((c) => scaleWidth(c, width));
  const [f1, f2] = [2048, 512].map((u) => scaleWidth(u, width));
  const model = tf.sequential({ name: `seednet_${width}` });
  const channels = [c1, c2, c3];
  channels.forEach((filters, i) => {
    const n = i + 1;
    model.add(
      tf.layers.conv2d({
        name: `conv${n}`,
        filters,
        kernelSize: 3,
        padding: 'valid',
        activation: 'relu',
        kernelInitializer: init.glorot(),
        ...(i === 0 ? { inputShape: checkInputShape(opts.inputShape ?? [32, 32, 3]) } : {}),
      }),
    );
    model.add(tf.layers.maxPooling2d({ name: `pool${n}`, poolSize: 2, strides: 2 }));
    model.add(tf.layers.batchNormalization({ name: `bn${n}`, axis: -1, epsilon: 1e-5, momentum: 0.9 }));
  });
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({ name: 'fc1', units: f1, activation: 'relu', kernelInitializer: init.glorot() }),
  );
  model.add(
    tf.layers.dense({ name: 'fc2', units: f2, activation: 'relu', kernelInitializer: init.glorot() }),
  );
  model.add(
    tf.layers.dense({
      name: 'fc3',
      units: opts.classes ?? 10,
      activation: 'softmax',
      kernelInitializer: init.glorot(),
    }),
  );
  return model;
}
