import * as tf from '@tensorflow/tfjs';

/**
 * A model small enough to check importance scores by hand: a 3x3x1 input, a 2x2 ReLU conv 'conv'
 * with three known filters, a batch norm 'bn' on its output, then 'fc' (3 ReLU units) and 'out'
 * (2-way softmax). Filters (row-major 2x2): f0 = [1 0; 0 1], f1 = [-1 2; 0 0], f2 = [0 0; 0 0.5],
 * biases [0, 0.5, 0]; bn gamma [0.5, -2, 1].
 */
export const FILTERS = [
  [1, 0, 0, 1],
  [-1, 2, 0, 0],
  [0, 0, 0, 0.5],
];
export const BIASES = [0, 0.5, 0];

export function tinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [3, 3, 1] });
  const conv = tf.layers.conv2d({ name: 'conv', filters: 3, kernelSize: 2, activation: 'relu' });
  const bn = tf.layers.batchNormalization({ name: 'bn' });
  const fc = tf.layers.dense({
    name: 'fc',
    units: 3,
    activation: 'relu',
    kernelInitializer: 'glorotUniform',
  });
  const out = tf.layers.dense({ name: 'out', units: 2, activation: 'softmax' });
  const h = conv.apply(input) as tf.SymbolicTensor;
  const y = out.apply(fc.apply(tf.layers.flatten().apply(bn.apply(h)))) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: y });
  tf.tidy(() => {
    // kernel[a][b][0][f] = FILTERS[f][2a + b]
    const k = tf.tensor4d(
      [0, 1, 2, 3].flatMap((e) => FILTERS.map((f) => f[e])),
      [2, 2, 1, 3],
    );
    conv.setWeights([k, tf.tensor1d(BIASES)]);
    const [, beta, mean, variance] = bn.getWeights();
    bn.setWeights([tf.tensor1d([0.5, -2, 1]), beta, mean, variance]);
    fc.setWeights([
      tf.tensor2d(
        Array.from({ length: 12 * 3 }, (_, i) => Math.sin(i + 1) * 0.5),
        [12, 3],
      ),
      tf.zeros([3]),
    ]);
    out.setWeights([tf.tensor2d([0.7, -0.4, -0.3, 0.9, 0.5, -0.6], [3, 2]), tf.zeros([2])]);
  });
  return model;
}

/** Four 3x3 images (row-major) and their classes. */
export const IMAGES = [
  [1, 2, 0, 0, 1, 0, 3, 0, 1],
  [0, 1, 1, 2, 0, 0, 1, 1, 0],
  [2, 0, 1, 1, 1, 0, 0, 2, 2],
  [0, 0, 3, 1, 0, 2, 1, 0, 0],
];
export const CLASSES = [0, 1, 0, 1];

export function calibration(): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  return {
    xs: tf.tensor4d(IMAGES.flat(), [4, 3, 3, 1]),
    ys: tf.oneHot(tf.tensor1d(CLASSES, 'int32'), 2) as tf.Tensor2D,
  };
}

/** The conv's ReLU output computed by plain loops: out[example][position][filter]. */
export function convOutputs(): number[][][] {
  return IMAGES.map((x) => {
    const positions: number[][] = [];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        positions.push(
          FILTERS.map((f, fi) => {
            const a =
              x[i * 3 + j] * f[0] +
              x[i * 3 + j + 1] * f[1] +
              x[(i + 1) * 3 + j] * f[2] +
              x[(i + 1) * 3 + j + 1] * f[3];
            return Math.max(0, a + BIASES[fi]);
          }),
        );
      }
    }
    return positions;
  });
}
