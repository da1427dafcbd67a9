import * as tf from '@tensorflow/tfjs';
import { type Sym, blocks, model } from './layers.js';

/**
 * EfficientNet-style MBConv blocks (Tan & Le 2019): Rescaling of the input, 1x1 expansion ->
 * depthwise 3x3 -> squeeze-and-excitation (GlobalAveragePooling -> Reshape(1, 1, C) -> 1x1 conv
 * reduce (swish) -> 1x1 conv expand (sigmoid) -> Multiply) -> linear 1x1 projection, residual Add
 * when shapes allow; swish activations throughout.
 */
export function efficientnet(seed = 5, classes = 5): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [32, 32, 3] });
  let x = b.apply(tf.layers.rescaling({ scale: 1 / 255 }), input);
  x = b.act(b.bn(b.conv(x, 8, 3, { strides: 2, useBias: false })), 'swish');
  const mbconv = (inp: Sym, out: number, strides: number, expand: number): Sym => {
    const cin = inp.shape[3] as number;
    const wide = cin * expand;
    let y = expand === 1 ? inp : b.act(b.bn(b.conv(inp, wide, 1, { useBias: false })), 'swish');
    y = b.act(b.bn(b.depthwise(y, strides, { useBias: false })), 'swish');
    let se = b.apply(tf.layers.reshape({ targetShape: [1, 1, wide] }), b.gap(y));
    se = b.conv(se, Math.max(1, Math.floor(cin / 4)), 1, { activation: 'swish' });
    se = b.conv(se, wide, 1, { activation: 'sigmoid' });
    y = b.apply(tf.layers.multiply({}), [y, se]);
    y = b.bn(b.conv(y, out, 1, { useBias: false }));
    return strides === 1 && cin === out ? b.add([inp, y]) : y;
  };
  x = mbconv(x, 8, 1, 1);
  x = mbconv(x, 12, 2, 4);
  x = mbconv(x, 12, 1, 4);
  x = b.act(b.bn(b.conv(x, 24, 1, { useBias: false })), 'swish');
  x = b.apply(tf.layers.dropout({ rate: 0.2 }), b.gap(x));
  return model('efficientnet', input, b.dense(x, classes, 'softmax'));
}

/**
 * Inception-style modules (Szegedy et al. 2015): parallel 1x1, 1x1 -> 3x3, 1x1 -> 3x3 -> 3x3 and
 * 3x3 max-pool -> 1x1 branches, concatenated on the channel axis.
 */
export function inception(seed = 6, classes = 5): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [32, 32, 3] });
  const cbr = (x: Sym, f: number, k: number, strides = 1): Sym =>
    b.act(b.bn(b.conv(x, f, k, { strides })), 'relu');
  let x = cbr(input, 8, 3, 2);
  const module = (inp: Sym): Sym => {
    const one = cbr(inp, 4, 1);
    const three = cbr(cbr(inp, 4, 1), 6, 3);
    const five = cbr(cbr(cbr(inp, 2, 1), 4, 3), 4, 3);
    const pool = cbr(
      b.apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }), inp),
      4,
      1,
    );
    return b.concat([one, three, five, pool]);
  };
  x = module(module(x));
  return model('inception', input, b.dense(b.gap(x), classes, 'softmax'));
}
