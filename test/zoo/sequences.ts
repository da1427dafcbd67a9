import * as tf from '@tensorflow/tfjs';
import { blocks, model } from './layers.js';

/** A Conv1D audio classifier on a raw waveform: strided Conv1D + BN + ReLU, pooling, global pooling. */
export function audioConv1d(seed = 10, classes = 4): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [64, 1] });
  const conv1d = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides = 1) =>
    b.apply(
      tf.layers.conv1d({ filters, kernelSize, strides, padding: 'same', kernelInitializer: b.init() }),
      x,
    );
  let x = b.act(b.bn(conv1d(input, 8, 9, 2)), 'relu');
  x = b.apply(tf.layers.maxPooling1d({ poolSize: 2 }), x);
  x = b.act(b.bn(conv1d(x, 12, 3)), 'relu');
  x = b.act(b.bn(conv1d(x, 12, 3)), 'relu');
  x = b.apply(tf.layers.globalAveragePooling1d({}), x);
  return model('audio_conv1d', input, b.dense(x, classes, 'softmax'));
}

/** A text classifier: token ids -> Embedding -> LSTM -> Dense + ReLU -> softmax. */
export function lstmText(seed = 11, classes = 3): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [12] });
  let x = b.apply(
    tf.layers.embedding({ inputDim: 40, outputDim: 8, embeddingsInitializer: b.init() }),
    input,
  );
  x = b.apply(tf.layers.lstm({ units: 8, kernelInitializer: b.init(), recurrentInitializer: b.init() }), x);
  x = b.dense(x, 16, 'relu');
  return model('lstm_text', input, b.dense(x, classes, 'softmax'));
}

/** Per-frame features through TimeDistributed(Dense), a Conv1D over time, global max pooling. */
export function timeDistributed(seed = 12, classes = 3): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [8, 10] });
  let x = b.apply(
    tf.layers.timeDistributed({
      layer: tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: b.init() }),
    }),
    input,
  );
  x = b.apply(
    tf.layers.conv1d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: b.init() }),
    x,
  );
  x = b.apply(tf.layers.globalMaxPooling1d({}), x);
  return model('time_distributed', input, b.dense(x, classes, 'softmax'));
}
