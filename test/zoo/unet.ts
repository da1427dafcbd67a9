import * as tf from '@tensorflow/tfjs';
import { type Sym, blocks, model } from './layers.js';

/**
 * A U-Net (Ronneberger et al. 2015): two 3x3 conv + ReLU per level, max-pooling down, a 2x2
 * strided Conv2DTranspose up, concatenated with the encoder's skip; a 1x1 conv gives per-pixel
 * class scores.
 */
export function unet(seed = 9, classes = 3): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [16, 16, 1] });
  const twice = (x: Sym, f: number): Sym =>
    b.conv(b.conv(x, f, 3, { activation: 'relu' }), f, 3, { activation: 'relu' });
  const pool = (x: Sym): Sym => b.apply(tf.layers.maxPooling2d({ poolSize: 2 }), x);
  const up = (x: Sym, f: number): Sym =>
    b.apply(
      tf.layers.conv2dTranspose({
        filters: f,
        kernelSize: 2,
        strides: 2,
        padding: 'same',
        kernelInitializer: b.init(),
      }),
      x,
    );
  const e1 = twice(input, 4);
  const e2 = twice(pool(e1), 8);
  const mid = twice(pool(e2), 12);
  const d2 = twice(b.concat([up(mid, 8), e2]), 8);
  const d1 = twice(b.concat([up(d2, 4), e1]), 4);
  return model('unet', input, b.conv(d1, classes, 1, { activation: 'softmax' }));
}
