import * as tf from '@tensorflow/tfjs';
import { type Sym, blocks, model } from './layers.js';

/**
 * ResNet-50-style bottlenecks (He et al. 2016): 1x1 reduce -> 3x3 -> 1x1 expand, each with BN; the
 * first block of a stage has a strided 1x1 projection shortcut (conv + BN), the next an identity
 * shortcut; Add then ReLU.
 */
export function resnetBottleneck(seed = 3, classes = 5): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [32, 32, 3] });
  let x = b.act(b.bn(b.conv(input, 8, 3)), 'relu');
  x = b.apply(tf.layers.maxPooling2d({ poolSize: 2 }), x);
  const bottleneck = (inp: Sym, width: number, out: number, strides: number, project: boolean): Sym => {
    let y = b.act(b.bn(b.conv(inp, width, 1, { strides })), 'relu');
    y = b.act(b.bn(b.conv(y, width, 3)), 'relu');
    y = b.bn(b.conv(y, out, 1));
    const shortcut = project ? b.bn(b.conv(inp, out, 1, { strides })) : inp;
    return b.act(b.add([shortcut, y]), 'relu');
  };
  x = bottleneck(x, 4, 16, 1, true);
  x = bottleneck(x, 4, 16, 1, false);
  x = bottleneck(x, 8, 24, 2, true);
  x = bottleneck(x, 8, 24, 1, false);
  return model('resnet_bottleneck', input, b.dense(b.gap(x), classes, 'softmax'));
}

/**
 * A DenseNet block chain (Huang et al. 2017): each layer is BN -> ReLU -> 1x1 conv (4 * growth) ->
 * BN -> ReLU -> 3x3 conv (growth), concatenated to everything before it; a transition (BN, ReLU,
 * 1x1 conv, 2x2 average pooling) joins two blocks.
 */
export function densenet(seed = 4, classes = 5): tf.LayersModel {
  const b = blocks(seed);
  const growth = 4;
  const input = tf.input({ shape: [32, 32, 3] });
  let x = b.conv(input, 8, 3, { strides: 2, useBias: false });
  const layer = (inp: Sym): Sym => {
    let y = b.conv(b.act(b.bn(inp), 'relu'), 4 * growth, 1, { useBias: false });
    y = b.conv(b.act(b.bn(y), 'relu'), growth, 3, { useBias: false });
    return b.concat([inp, y]);
  };
  x = layer(layer(x));
  x = b.conv(b.act(b.bn(x), 'relu'), 8, 1, { useBias: false });
  x = b.apply(tf.layers.averagePooling2d({ poolSize: 2 }), x);
  x = layer(layer(x));
  x = b.act(b.bn(x), 'relu');
  return model('densenet', input, b.dense(b.gap(x), classes, 'softmax'));
}

/**
 * A siamese net: one conv tower (conv, BN, ReLU, strided conv) applied to the image and to a
 * blurred view of it, the two embeddings concatenated into an unshared conv head.
 */
export function siamese(seed = 14, classes = 4): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [16, 16, 3] });
  const tower = [
    tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', kernelInitializer: b.init() }),
    tf.layers.batchNormalization({}),
    tf.layers.activation({ activation: 'relu' }),
    tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: b.init() }),
  ];
  const embed = (x: tf.SymbolicTensor) => tower.reduce((y, layer) => b.apply(layer, y), x);
  const blurred = b.apply(tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }), input);
  let x = b.concat([embed(input), embed(blurred)]);
  x = b.act(b.bn(b.conv(x, 12)), 'relu');
  x = b.act(b.bn(b.conv(x, 12)), 'relu');
  return model('siamese', input, b.dense(b.gap(x), classes, 'softmax'));
}
