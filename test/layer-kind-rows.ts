// Rows of test/layer-kinds.test.ts: one tiny model per layer kind the graph-registry rows do not
// cover (not a test file itself). Layer 'p' makes the prunable channels; its filters 1 and 3 are
// zeroed (kernel only, so they emit a nonzero constant); `removed` is what compaction must remove.
import * as tf from '@tensorflow/tfjs';
import { type Sym, init } from './graph-fixtures.js';

export interface KindRow {
  kind: string;
  input: number[];
  body: (x: Sym) => Sym;
  removed: number;
  /** Expect this text among the plan's pin reasons (channels kept on purpose). */
  pinned?: RegExp;
}

const dense = (name: string, units: number, activation = 'linear'): tf.layers.Layer =>
  tf.layers.dense({ name, units, activation: activation as never, kernelInitializer: init() });
const head = (y: Sym): Sym => {
  const flat = y.shape.length > 2 ? (tf.layers.flatten({ name: 'flat' }).apply(y) as Sym) : y;
  return dense('out', 3, 'softmax').apply(flat) as Sym;
};
const conv1d = (name: string, filters: number, extra: Record<string, unknown> = {}): tf.layers.Layer =>
  tf.layers.conv1d({ name, filters, kernelSize: 3, activation: 'relu', kernelInitializer: init(), ...extra });
const conv3d = (name: string, filters: number): tf.layers.Layer =>
  tf.layers.conv3d({ name, filters, kernelSize: 2, activation: 'relu', kernelInitializer: init() });
const conv2d = (name: string, filters: number, extra: Record<string, unknown> = {}): tf.layers.Layer =>
  tf.layers.conv2d({ name, filters, kernelSize: 3, activation: 'relu', kernelInitializer: init(), ...extra });
const apply = (layer: tf.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;

/** p (Conv1D) -> layer -> valid Conv1D -> head. */
const after1d = (layer: tf.layers.Layer) => (x: Sym) =>
  head(apply(conv1d('c', 5), apply(layer, apply(conv1d('p', 6), x))));
/** p (Conv2D) -> layer -> valid Conv2D -> head. */
const after2d = (layer: tf.layers.Layer) => (x: Sym) =>
  head(apply(conv2d('c', 5), apply(layer, apply(conv2d('p', 6), x))));
/** p (Conv2D) -> layer -> head (the layer's output is flattened). */
const into2d = (layer: tf.layers.Layer) => (x: Sym) => head(apply(layer, apply(conv2d('p', 6), x)));
/** p (Conv3D) -> layer -> Conv3D -> head. */
const after3d = (layer: tf.layers.Layer) => (x: Sym) =>
  head(apply(conv3d('c', 4), apply(layer, apply(conv3d('p', 6), x))));
/** p (Dense) -> layer -> Dense -> head. */
const afterDense = (layer: tf.layers.Layer) => (x: Sym) =>
  head(apply(dense('c', 5), apply(layer, apply(dense('p', 6, 'relu'), x))));

const rnn = { units: 4, kernelInitializer: init(), recurrentInitializer: init() };

export const kindRows: KindRow[] = [
  {
    kind: 'Conv1D (producer and valid consumer)',
    input: [12, 3],
    body: after1d(tf.layers.reLU({ name: 'r' })),
    removed: 2,
  },
  {
    kind: 'Conv3D (producer and valid consumer)',
    input: [5, 5, 5, 2],
    body: after3d(tf.layers.reLU({ name: 'r' })),
    removed: 2,
  },
  {
    kind: 'Conv2DTranspose (producer; a nonzero constant does not fold into the next transposed conv)',
    input: [5, 5, 2],
    body: (x) => {
      const t = (name: string, filters: number) =>
        tf.layers.conv2dTranspose({
          name,
          filters,
          kernelSize: 3,
          strides: 2,
          activation: 'relu',
          kernelInitializer: init(),
        });
      return head(apply(conv2d('c', 4), apply(t('t', 4), apply(t('p', 6), x))));
    },
    removed: 0,
  },
  {
    kind: 'Embedding (producer)',
    input: [6],
    body: (x) => {
      const e = tf.layers.embedding({ name: 'p', inputDim: 10, outputDim: 6, embeddingsInitializer: init() });
      return head(apply(conv1d('c', 4), apply(e, x)));
    },
    removed: 2,
  },
  {
    kind: 'Rescaling',
    input: [8, 8, 3],
    body: after2d(tf.layers.rescaling({ name: 'rs', scale: 0.5, offset: 0.1 })),
    removed: 2,
  },
  {
    kind: 'PReLU (alpha sliced with the channels)',
    input: [8, 8, 3],
    body: after2d(
      tf.layers.prelu({
        name: 'pr',
        alphaInitializer: tf.initializers.randomUniform({ minval: 0.1, maxval: 0.3, seed: 2 }),
      }),
    ),
    removed: 2,
  },
  {
    kind: 'SpatialDropout1D',
    input: [12, 3],
    body: after1d(tf.layers.spatialDropout1d({ name: 'd', rate: 0.3 })),
    removed: 2,
  },
  {
    kind: 'AlphaDropout',
    input: [8, 8, 3],
    body: after2d(tf.layers.alphaDropout({ name: 'd', rate: 0.3 })),
    removed: 2,
  },
  {
    kind: 'CenterCrop',
    input: [9, 9, 3],
    body: after2d(tf.layers.centerCrop({ name: 'cc', height: 5, width: 5 })),
    removed: 2,
  },
  {
    kind: 'MaxPooling1D',
    input: [12, 3],
    body: after1d(tf.layers.maxPooling1d({ name: 'mp', poolSize: 2 })),
    removed: 2,
  },
  {
    kind: 'AveragePooling1D',
    input: [12, 3],
    body: after1d(tf.layers.averagePooling1d({ name: 'ap', poolSize: 2 })),
    removed: 2,
  },
  {
    kind: 'MaxPooling3D',
    input: [6, 6, 6, 2],
    body: after3d(tf.layers.maxPooling3d({ name: 'mp', poolSize: 2 })),
    removed: 2,
  },
  {
    kind: 'AveragePooling3D',
    input: [6, 6, 6, 2],
    body: after3d(tf.layers.averagePooling3d({ name: 'ap', poolSize: 2 })),
    removed: 2,
  },
  {
    kind: 'GlobalAveragePooling1D',
    input: [12, 3],
    body: (x) =>
      head(
        apply(
          dense('c', 4),
          apply(tf.layers.globalAveragePooling1d({ name: 'g' }), apply(conv1d('p', 6), x)),
        ),
      ),
    removed: 2,
  },
  {
    kind: 'GlobalMaxPooling1D',
    input: [12, 3],
    body: (x) =>
      head(
        apply(dense('c', 4), apply(tf.layers.globalMaxPooling1d({ name: 'g' }), apply(conv1d('p', 6), x))),
      ),
    removed: 2,
  },
  {
    kind: 'Reshape (last axis kept: squeeze-and-excitation style)',
    input: [8, 8, 3],
    body: (x) => {
      const g = apply(tf.layers.globalAveragePooling2d({ name: 'gap' }), apply(conv2d('p', 6), x));
      return head(
        apply(
          conv2d('c', 4, { kernelSize: 1 }),
          apply(tf.layers.reshape({ name: 'rs', targetShape: [1, 1, 6] }), g),
        ),
      );
    },
    removed: 2,
  },
  {
    kind: 'Reshape (flattening)',
    input: [6, 6, 3],
    body: into2d(tf.layers.reshape({ name: 'rs', targetShape: [16 * 6] })),
    removed: 2,
  },
  {
    kind: 'Reshape (splitting channels pins them)',
    input: [6, 6, 3],
    body: into2d(tf.layers.reshape({ name: 'rs', targetShape: [4, 4, 3, 2] })),
    removed: 0,
    pinned: /'rs' \(Reshape\).*splits channels/,
  },
  {
    kind: 'Permute (last axis stays last)',
    input: [8, 8, 3],
    body: after2d(tf.layers.permute({ name: 'pm', dims: [2, 1, 3] })),
    removed: 2,
  },
  {
    kind: 'Permute (moving channels pins them)',
    input: [6, 6, 3],
    body: into2d(tf.layers.permute({ name: 'pm', dims: [3, 1, 2] })),
    removed: 0,
    pinned: /'pm' \(Permute\).*moves the channel axis/,
  },
  {
    kind: 'RepeatVector',
    input: [7],
    body: (x) =>
      head(
        apply(
          conv1d('c', 4, { kernelSize: 2 }),
          apply(tf.layers.repeatVector({ name: 'rv', n: 3 }), apply(dense('p', 6, 'relu'), x)),
        ),
      ),
    removed: 2,
  },
  {
    kind: 'LayerNormalization (pins)',
    input: [7],
    body: afterDense(tf.layers.layerNormalization({ name: 'ln' })),
    removed: 0,
    pinned: /'ln' \(LayerNormalization\)/,
  },
  {
    kind: 'Masking (pins)',
    input: [12, 3],
    body: after1d(tf.layers.masking({ name: 'mk', maskValue: -99 })),
    removed: 0,
    pinned: /'mk' \(Masking\)/,
  },
  {
    kind: 'Dot (pins)',
    input: [7],
    body: (x) => {
      const a = apply(dense('p', 6, 'relu'), x);
      const b = apply(dense('q', 6), x);
      return head(apply(dense('c', 4), apply(tf.layers.dot({ name: 'dot', axes: -1 }), [a, b])));
    },
    removed: 0,
    pinned: /'dot' \(Dot\)/,
  },
  {
    kind: 'LSTM (folds constant inputs into its bias)',
    input: [5, 3],
    body: after1d(tf.layers.lstm({ name: 'r', returnSequences: true, ...rnn })),
    removed: 2,
  },
  {
    kind: 'GRU (folds constant inputs into its bias)',
    input: [5, 3],
    body: after1d(tf.layers.gru({ name: 'r', returnSequences: true, ...rnn })),
    removed: 2,
  },
  {
    kind: 'SimpleRNN (folds constant inputs into its bias)',
    input: [5, 3],
    body: after1d(tf.layers.simpleRNN({ name: 'r', returnSequences: true, ...rnn })),
    removed: 2,
  },
  {
    kind: 'TimeDistributed (pins)',
    input: [12, 3],
    body: after1d(
      tf.layers.timeDistributed({
        name: 'td',
        layer: tf.layers.dense({ units: 4, kernelInitializer: init() }),
      }),
    ),
    removed: 0,
    pinned: /'td' \(TimeDistributed\)/,
  },
  {
    kind: 'Bidirectional (pins)',
    input: [12, 3],
    body: after1d(
      tf.layers.bidirectional({
        name: 'bi',
        layer: tf.layers.lstm({ ...rnn, returnSequences: true }) as never,
      }),
    ),
    removed: 0,
    pinned: /'bi' \(Bidirectional\)/,
  },
];
