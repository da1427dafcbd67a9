import type * as tf from '@tensorflow/tfjs';

/**
 * Calibration data for the data-driven criteria: inputs, and labels where the criterion needs
 * them ('taylor' needs a loss, 'tvs' needs classes). Labels are one-hot `[n, classes]` or class
 * indices `[n]`.
 */
export interface Calibration {
  xs: tf.Tensor;
  ys?: tf.Tensor;
}

/** Options every criterion receives; each reads the ones it needs. */
export interface ImportanceOptions {
  /** Calibration data (required by 'activation', 'apoz', 'taylor', 'tvs'). */
  data?: Calibration;
  /** Use only the first `examples` examples of `data` (default: all). */
  examples?: number;
  /** Minibatch size over `data` (default 64). */
  batchSize?: number;
  /** Seed of 'random' (default 0). */
  seed?: number;
  /**
   * Per-example task loss for 'taylor' (default: categorical cross-entropy against one-hot
   * labels, sparse cross-entropy against class indices).
   */
  loss?: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
  /** 'taylor' FLOPs regularisation lambda (default 0): score - lambda * normalised FLOPs per filter. */
  flopsLambda?: number;
  /** 'tvs' histogram bins per channel (default 16). */
  bins?: number;
}

/** What a criterion is asked to score. */
export interface ImportanceContext {
  model: tf.LayersModel;
  /** The layers to score, in model order: each has a filterPrune or neuronPrune layer kind. */
  layers: tf.layers.Layer[];
  options: ImportanceOptions;
}

/**
 * A criterion: one score per output structure (conv filter, dense neuron) of every layer in
 * `ctx.layers`, keyed by layer name; higher means more important.
 */
export type ImportanceFunction = (ctx: ImportanceContext) => Record<string, Float32Array>;

/** A registered criterion's name ('l1', 'taylor', ...) or a user function. */
export type Importance = string | ImportanceFunction;
