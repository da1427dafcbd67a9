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

/**
 * A Bidirectional LSTM over embedded tokens, then a Bidirectional GRU: each wrapper holds two
 * `kernel`s and two `recurrent_kernel`s (forward and backward) under one layer.
 */
export function bidirectionalText(seed = 13, classes = 3): tf.LayersModel {
  const b = blocks(seed);
  const input = tf.input({ shape: [10] });
  const rnn = (x: tf.SymbolicTensor, layer: tf.RNN) =>
    b.apply(tf.layers.bidirectional({ layer, mergeMode: 'concat' }), x);
  let x = b.apply(
    tf.layers.embedding({ inputDim: 30, outputDim: 8, embeddingsInitializer: b.init() }),
    input,
  );
  x = rnn(
    x,
    tf.layers.lstm({
      units: 6,
      returnSequences: true,
      kernelInitializer: b.init(),
      recurrentInitializer: b.init(),
    }),
  );
  x = rnn(x, tf.layers.gru({ units: 4, kernelInitializer: b.init(), recurrentInitializer: b.init() }));
  x = b.dense(x, 12, 'relu');
  const built = model('bidirectional_text', input, b.dense(x, classes, 'softmax'));
  // The backward layer is a clone of the forward one, seeded initialisers included, so both
  // start equal; a trained model's directions differ, so draw the backward weights afresh.
  let s = seed * 1000 + 500;
  for (const layer of built.layers) {
    if (layer.getClassName() !== 'Bidirectional') continue;
    const backward = (layer as unknown as { backwardLayer: tf.layers.Layer }).backwardLayer;
    for (const v of backward.weights) {
      const fresh = tf.randomNormal(v.shape as number[], 0, 0.3, 'float32', s++);
      v.write(fresh);
      fresh.dispose();
    }
  }
  return built;
}
