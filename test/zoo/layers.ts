// Small building blocks for the zoo builders (not a test file): every weight initialiser is
// seeded, so a builder called with the same seed gives the same model.
import * as tf from '@tensorflow/tfjs';

export type Sym = tf.SymbolicTensor;

/** A source of seeded initialisers: each call gives the next seed. */
export function seeds(seed: number): () => ReturnType<typeof tf.initializers.glorotUniform> {
  let s = seed * 1000;
  return () => tf.initializers.glorotUniform({ seed: s++ });
}

/** Layer helpers bound to one seed source. */
export function blocks(seed: number) {
  const init = seeds(seed);
  const apply = (layer: tf.layers.Layer, x: Sym | Sym[]): Sym => layer.apply(x) as Sym;
  const conv = (x: Sym, filters: number, kernelSize = 3, opts: Record<string, unknown> = {}): Sym =>
    apply(tf.layers.conv2d({ filters, kernelSize, padding: 'same', kernelInitializer: init(), ...opts }), x);
  const depthwise = (x: Sym, strides = 1, opts: Record<string, unknown> = {}): Sym =>
    apply(
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        strides,
        padding: 'same',
        depthwiseInitializer: init(),
        ...opts,
      }),
      x,
    );
  const separable = (x: Sym, filters: number, kernelSize = 3): Sym =>
    apply(
      tf.layers.separableConv2d({
        filters,
        kernelSize,
        padding: 'same',
        useBias: false,
        depthwiseInitializer: init(),
        pointwiseInitializer: init(),
      }),
      x,
    );
  const bn = (x: Sym): Sym => apply(tf.layers.batchNormalization({}), x);
  const act = (x: Sym, activation: string): Sym =>
    apply(tf.layers.activation({ activation: activation as never }), x);
  const relu6 = (x: Sym): Sym => apply(tf.layers.reLU({ maxValue: 6 }), x);
  const dense = (x: Sym, units: number, activation = 'linear'): Sym =>
    apply(tf.layers.dense({ units, activation: activation as never, kernelInitializer: init() }), x);
  const gap = (x: Sym): Sym => apply(tf.layers.globalAveragePooling2d({}), x);
  const add = (xs: Sym[]): Sym => apply(tf.layers.add({}), xs);
  const concat = (xs: Sym[]): Sym => apply(tf.layers.concatenate({}), xs);
  return { init, apply, conv, depthwise, separable, bn, act, relu6, dense, gap, add, concat };
}

/** A functional model from one input to one output. */
export function model(name: string, input: Sym, output: Sym): tf.LayersModel {
  return tf.model({ inputs: input, outputs: output, name });
}
