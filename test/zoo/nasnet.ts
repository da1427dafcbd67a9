import * as tf from '@tensorflow/tfjs';
import { type Sym, blocks, model } from './layers.js';

/**
 * NASNet-style cells (Zoph et al. 2018): each cell adds pairs of branches (separable convs, average
 * pooling, identity) over the two previous cell outputs and concatenates the sums. As in
 * NASNetMobile, one Add merges a cell's concatenated output with a plain conv output: their
 * channels are grouped differently, so those channels are pinned rather than mapped.
 */
export function nasnet(seed = 7, classes = 5): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [32, 32, 3] });
  const stem = b.bn(b.conv(input, 8, 3, { strides: 2, useBias: false }));
  const cell = (h: Sym, p: Sym, width: number): Sym => {
    const hr = b.bn(b.conv(b.act(h, 'relu'), width, 1, { useBias: false }));
    const pr = b.bn(b.conv(b.act(p, 'relu'), width, 1, { useBias: false }));
    const sep = (x: Sym, k: number): Sym => b.bn(b.separable(b.act(x, 'relu'), width, k));
    const pool = (x: Sym): Sym =>
      b.apply(tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }), x);
    const a1 = b.add([sep(hr, 5), sep(pr, 3)]);
    const a2 = b.add([sep(pr, 5), sep(pr, 3)]);
    const a3 = b.add([pool(hr), pr]);
    const a4 = b.add([sep(hr, 3), hr]);
    return b.concat([pr, a1, a2, a3, a4]);
  };
  const c1 = cell(stem, stem, 4);
  const c2 = cell(c1, stem, 4);
  // The Add of a concatenation and a single conv (NASNet's differently grouped merge).
  const mixed = b.add([c2, b.bn(b.conv(b.act(c1, 'relu'), c2.shape[3] as number, 1, { useBias: false }))]);
  return model('nasnet', input, b.dense(b.gap(b.act(mixed, 'relu')), classes, 'softmax'));
}

/**
 * Xception-style blocks (Chollet 2017): separable convs with BN and ReLU, a strided entry block
 * whose shortcut is a strided 1x1 conv + BN, and a middle block with an identity shortcut.
 */
export function xception(seed = 8, classes = 5): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [32, 32, 3] });
  let x = b.act(b.bn(b.conv(input, 8, 3, { strides: 2, useBias: false })), 'relu');
  const shortcut = b.bn(b.conv(x, 16, 1, { strides: 2, useBias: false }));
  let y = b.act(b.bn(b.separable(x, 16)), 'relu');
  y = b.bn(b.separable(y, 16));
  y = b.apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), y);
  x = b.add([y, shortcut]);
  let m = x;
  for (let i = 0; i < 2; i++) m = b.bn(b.separable(b.act(m, 'relu'), 16));
  x = b.add([m, x]);
  x = b.act(b.bn(b.separable(x, 24)), 'relu');
  return model('xception', input, b.dense(b.gap(x), classes, 'softmax'));
}
