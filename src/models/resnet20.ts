import * as tf from '@tensorflow/tfjs';
import { checkInputShape, checkWidth, type ImageShape, scaleWidth, SeededInit } from './init.js';

export interface ResNet20Options {
  /** Multiplies every channel count. Default 1: 16 / 32 / 64 channels. */
  width?: number;
  /** Seed of the weight initialisers. Default 0. */
  seed?: number;
  /** Input [h, w, c]. Default [32, 32, 3] (CIFAR-10). */
  inputShape?: ImageShape;
  /** Output classes. Default 10. */
  classes?: number;
}

type Sym = tf.SymbolicTensor;

/**
 * ResNet-20 for CIFAR (He et al. 2016, section 4.2): a 3x3 conv stem, three stages of three basic
 * blocks (16, 32, 64 channels; the first block of stages 2 and 3 downsamples with stride 2), global
 * average pooling and a softmax. Shortcuts are identities inside a stage and 1x1 stride-2
 * convolutions + batch norm where a block downsamples (projection shortcuts, "option B"), so the
 * model has both kinds of residual `Add` for compaction to handle.
 *
 * Layer names: `conv1`/`bn1`/`relu1` (stem), then `s{stage}b{block}_conv{1,2}`, `..._bn{1,2}`,
 * `..._proj`, `..._proj_bn`, `..._add`, `..._out`, then `pool`, `fc`.
 *
 * @example
 * ```ts
 * const model = resnet20({ seed: 0 });
 * model.predict(tf.zeros([1, 32, 32, 3])); // [1, 10]
 * ```
 */
export function resnet20(opts: ResNet20Options = {}): tf.LayersModel {
  const width = checkWidth(opts.width ?? 1);
  const init = new SeededInit(opts.seed ?? 0);
  const input = tf.input({ shape: checkInputShape(opts.inputShape ?? [32, 32, 3]), name: 'input' });
  const conv = (name: string, filters: number, kernelSize: number, strides: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: init.he(),
    });
  const bn = (name: string) => tf.layers.batchNormalization({ name, axis: -1 });

  let x = conv('conv1', scaleWidth(16, width), 3, 1).apply(input) as Sym;
  x = bn('bn1').apply(x) as Sym;
  x = tf.layers.reLU({ name: 'relu1' }).apply(x) as Sym;
  let channels = scaleWidth(16, width);
  [16, 32, 64].forEach((base, s) => {
    const filters = scaleWidth(base, width);
    for (let b = 0; b < 3; b++) {
      const tag = `s${s + 1}b${b + 1}`;
      const strides = s > 0 && b === 0 ? 2 : 1;
      let y = conv(`${tag}_conv1`, filters, 3, strides).apply(x) as Sym;
      y = bn(`${tag}_bn1`).apply(y) as Sym;
      y = tf.layers.reLU({ name: `${tag}_relu1` }).apply(y) as Sym;
      y = conv(`${tag}_conv2`, filters, 3, 1).apply(y) as Sym;
      y = bn(`${tag}_bn2`).apply(y) as Sym;
      let shortcut = x;
      if (strides !== 1 || channels !== filters) {
        shortcut = conv(`${tag}_proj`, filters, 1, strides).apply(x) as Sym;
        shortcut = bn(`${tag}_proj_bn`).apply(shortcut) as Sym;
      }
      x = tf.layers.add({ name: `${tag}_add` }).apply([y, shortcut]) as Sym;
      x = tf.layers.reLU({ name: `${tag}_out` }).apply(x) as Sym;
      channels = filters;
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as Sym;
  const output = tf.layers
    .dense({ name: 'fc', units: opts.classes ?? 10, activation: 'softmax', kernelInitializer: init.glorot() })
    .apply(x) as Sym;
  return tf.model({ inputs: input, outputs: output, name: `resnet20_${width}` });
}
