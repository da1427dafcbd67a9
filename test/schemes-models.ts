import * as tf from '@tensorflow/tfjs';

/** The oracle's model: input [6,6,2] -> conv1 3x3x4 -> conv2 3x3x6 -> flatten -> fc1 8 -> fc2 4 softmax. */
export function oracleModel(weights?: Record<string, { shape: number[]; data: number[] }>): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        name: 'conv1',
        inputShape: [6, 6, 2],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
      }),
      tf.layers.conv2d({ name: 'conv2', filters: 6, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: 'fc1', units: 8, activation: 'relu' }),
      tf.layers.dense({ name: 'fc2', units: 4, activation: 'softmax' }),
    ],
  });
  if (weights) {
    for (const layer of model.layers) {
      if (layer.weights.length === 0) continue;
      const values = ['kernel', 'bias'].map((n) => {
        const w = weights[`${layer.name}/${n}`];
        return tf.tensor(w.data, w.shape);
      });
      layer.setWeights(values);
      tf.dispose(values);
    }
  }
  return model;
}

/** A small conv net with BatchNorm and a separate softmax layer (outputs behind a weightless layer). */
export function smallNet(seed = 1): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed * 100 + s });
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers
    .conv2d({
      name: 'conv1',
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: init(1),
      biasInitializer: 'ones',
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({
      name: 'conv2',
      filters: 12,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(2),
      biasInitializer: 'ones',
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({
      name: 'fc1',
      units: 16,
      activation: 'relu',
      kernelInitializer: init(3),
      biasInitializer: 'ones',
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ name: 'fc2', units: 10, kernelInitializer: init(4), biasInitializer: 'ones' })
    .apply(x) as tf.SymbolicTensor;
  const out = tf.layers.softmax({ name: 'probs' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Mask of a weight as flat 0/1 numbers (all ones when unpruned). */
export function maskOf(
  layer: tf.layers.Layer,
  name: string,
  getMask: (l: tf.layers.Layer, n: string) => tf.Tensor | null,
): number[] {
  const m = getMask(layer, name);
  if (m) return Array.from(m.dataSync());
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${name}`))!;
  return new Array<number>(w.shape.reduce((a, b) => a! * b!, 1)!).fill(1);
}

/** Fraction of nonzero entries of a layer weight. */
export function nonzeroFraction(layer: tf.layers.Layer, name: string): number {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${name}`))!;
  const d = w.read().dataSync();
  let nz = 0;
  for (const v of d) if (v !== 0) nz++;
  return nz / d.length;
}
