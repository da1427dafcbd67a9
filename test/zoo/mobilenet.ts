import * as tf from '@tensorflow/tfjs';
import { type Sym, blocks, model } from './layers.js';

/**
 * MobileNet v1 (Howard et al. 2017): a strided stem, then depthwise 3x3 + pointwise 1x1 pairs,
 * each followed by BN and ReLU6; the head is GlobalAveragePooling -> Reshape(1, 1, C) -> Dropout
 * -> 1x1 conv -> Reshape(classes) -> softmax, as keras.applications builds it.
 */
export function mobilenetV1(seed = 1, classes = 5): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [32, 32, 3] });
  let x = b.relu6(b.bn(b.conv(input, 8, 3, { strides: 2, useBias: false })));
  for (const [filters, strides] of [
    [12, 1],
    [16, 2],
    [16, 1],
  ]) {
    x = b.relu6(b.bn(b.depthwise(x, strides, { useBias: false })));
    x = b.relu6(b.bn(b.conv(x, filters, 1, { useBias: false })));
  }
  const c = x.shape[3] as number;
  x = b.apply(tf.layers.reshape({ targetShape: [1, 1, c] }), b.gap(x));
  x = b.apply(tf.layers.dropout({ rate: 0.1 }), x);
  x = b.conv(x, classes, 1);
  x = b.apply(tf.layers.reshape({ targetShape: [classes] }), x);
  return model('mobilenet_v1', input, b.act(x, 'softmax'));
}

/**
 * MobileNet v2 (Sandler et al. 2018): inverted residual blocks, 1x1 expansion -> depthwise 3x3 ->
 * linear 1x1 projection, with a residual Add when the stride is 1 and the width is unchanged.
 */
export function mobilenetV2(seed = 2, classes = 5): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [32, 32, 3] });
  let x = b.relu6(b.bn(b.conv(input, 8, 3, { strides: 2, useBias: false })));
  const block = (inp: Sym, out: number, strides: number, expand: number): Sym => {
    const cin = inp.shape[3] as number;
    let y = b.relu6(b.bn(b.conv(inp, cin * expand, 1, { useBias: false })));
    y = b.relu6(b.bn(b.depthwise(y, strides, { useBias: false })));
    y = b.bn(b.conv(y, out, 1, { useBias: false }));
    return strides === 1 && cin === out ? b.add([inp, y]) : y;
  };
  x = block(x, 8, 1, 1);
  x = block(x, 12, 2, 3);
  x = block(x, 12, 1, 3);
  x = b.relu6(b.bn(b.conv(x, 24, 1, { useBias: false })));
  return model('mobilenet_v2', input, b.dense(b.gap(x), classes, 'softmax'));
}
