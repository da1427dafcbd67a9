// Shared helpers for the graph/compaction tests (not a test file itself).
import * as tf from '@tensorflow/tfjs';
import { layerKind } from '../src/graph/index.js';
import { applyMask, clearPruning } from '../src/pruning/index.js';

export type Sym = tf.SymbolicTensor;

let seedCounter = 100;
const nextSeed = (): number => seedCounter++;

/** Seeded glorot init so every fixture is deterministic. */
export const init = (): ReturnType<typeof tf.initializers.glorotUniform> =>
  tf.initializers.glorotUniform({ seed: nextSeed() });

export function conv(name: string, filters: number, opts: Record<string, unknown> = {}): tf.layers.Layer {
  return tf.layers.conv2d({
    name,
    filters,
    kernelSize: 3,
    padding: 'valid',
    kernelInitializer: init(),
    ...(opts as object),
  });
}

/** A functional model from an input shape and a body. */
export function functional(shape: number[], body: (x: Sym) => Sym, name = 'fixture'): tf.LayersModel {
  const input = tf.input({ shape, name: 'in' });
  return tf.model({ inputs: input, outputs: body(input), name });
}

/**
 * Give every bias and BatchNormalization parameter random values (seeded): with zero biases and
 * identity BN statistics a pruned channel would trivially emit 0, which would hide folding bugs.
 */
export function randomizeBiasesAndNorms(model: tf.LayersModel, seed = 1): void {
  let s = seed;
  for (const layer of model.layers) {
    const weights = layer.weights;
    if (weights.length === 0) continue;
    const values = weights.map((w) => {
      const short = w.originalName.split('/').pop()!;
      return tf.tidy(() => {
        // Positive biases: a pruned ReLU filter then emits relu(bias) > 0, a real constant to fold.
        if (short === 'bias') return tf.randomUniform(w.shape as number[], 0.2, 1, 'float32', s++);
        if (short === 'beta' || short === 'moving_mean') {
          return tf.randomNormal(w.shape as number[], 0, 0.5, 'float32', s++);
        }
        if (short === 'gamma') return tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', s++);
        if (short === 'moving_variance') return tf.randomUniform(w.shape as number[], 0.5, 2, 'float32', s++);
        return w.read().clone();
      });
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/**
 * Zero output channels of a layer the way torch's structured pruning does: only the scoring
 * weight (the kernel's filters), NOT the bias, so the pruned channel emits activation(bias).
 */
export function zeroFilters(model: tf.LayersModel, layerName: string, channels: number[]): void {
  const layer = model.getLayer(layerName);
  const { name, axis } = layerKind(layer.getClassName())!.importanceWeight!;
  const v = layer.weights.find((w) => w.originalName.endsWith(`/${name}`))!;
  const shape = v.shape as number[];
  const along = new Float32Array(shape[axis]).fill(1);
  for (const c of channels) along[c] = 0;
  const mask = tf.tidy(() =>
    tf
      .tensor(
        along,
        shape.map((d, i) => (i === axis ? d : 1)),
      )
      .mul(tf.ones(shape)),
  );
  applyMask(layer, name, mask);
  mask.dispose();
}

/** max |a - b| / max |a| over the outputs of the two models on `x`. */
export function maxRelativeError(reference: tf.LayersModel, other: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(() => {
    const a = reference.predict(x) as tf.Tensor;
    const b = other.predict(x) as tf.Tensor;
    if (a.shape.join() !== b.shape.join()) return Infinity;
    return a.sub(b).abs().max().div(a.abs().max()).dataSync()[0];
  });
}

/** Random NHWC input, seeded. */
export function randomInput(shape: number[], seed = 7): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

/** Dispose models, dropping their pruning state first (masks are tensors held by the state). */
export function disposeAll(...models: tf.LayersModel[]): void {
  for (const m of models) {
    clearPruning(m);
    m.dispose();
  }
}
