import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError, LayerError } from '../errors.js';
import type { Calibration, ImportanceOptions } from './types.js';

/** The calibration data, or an error naming the criterion that needs it. */
export function calibrationOf(options: ImportanceOptions, who: string, labels = false): Calibration {
  const data = options.data;
  if (!data) {
    throw new InvalidArgumentError(
      `importance '${who}' needs calibration data: pass { data: { xs${labels ? ', ys' : ''} } } (a few hundred training examples)`,
    );
  }
  if (labels && !data.ys) {
    throw new InvalidArgumentError(`importance '${who}' needs labels: pass { data: { xs, ys } }`);
  }
  if (labels && data.ys!.shape[0] !== data.xs.shape[0]) {
    throw new InvalidArgumentError(
      `importance '${who}': data.xs has ${data.xs.shape[0]} examples but data.ys has ${data.ys!.shape[0]}`,
    );
  }
  return data;
}

/** The number of calibration examples used: all of `data`, or the first `options.examples`. */
export function calibrationCount(data: Calibration, options: ImportanceOptions): number {
  const n = data.xs.shape[0];
  const cap = options.examples;
  if (cap !== undefined && !(Number.isInteger(cap) && cap >= 1)) {
    throw new InvalidArgumentError(`importance: examples must be a positive integer; got ${cap}`);
  }
  return Math.min(n, cap ?? n);
}

/** Minibatch [start, end) ranges over `n` examples. */
export function batchRanges(n: number, batchSize = 64): Array<[number, number]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(`importance: batchSize must be a positive integer; got ${batchSize}`);
  }
  const out: Array<[number, number]> = [];
  for (let s = 0; s < n; s += batchSize) out.push([s, Math.min(n, s + batchSize)]);
  return out;
}

/** Rows [start, end) of `t` (a view the caller disposes). */
export function rows(t: tf.Tensor, [start, end]: [number, number]): tf.Tensor {
  return tf.slice(t, [start], [end - start]);
}

/** Channels-last is assumed (tfjs' default): the channel of an activation is its last axis. */
function checkChannelsLast(layer: tf.layers.Layer): void {
  const format = (layer.getConfig() as { dataFormat?: string }).dataFormat;
  if (format === 'channelsFirst') {
    throw new LayerError(
      `importance: layer '${layer.name}' is channelsFirst; the activation criteria read channels on the last axis`,
    );
  }
}

/**
 * Run the model once per calibration minibatch and hand every scored layer's output to `visit`
 * as `[examples, channels]`-last tensors. All outputs come from ONE multi-output model over the
 * layers of interest (no re-run per layer), inside `tf.tidy`: `visit` must copy what it keeps to
 * the host. The model runs in inference mode (batch norm on its moving statistics, no dropout).
 */
export function forEachActivation(
  model: tf.LayersModel,
  layers: tf.layers.Layer[],
  data: Calibration,
  options: ImportanceOptions,
  visit: (layerIndex: number, output: tf.Tensor) => void,
): void {
  layers.forEach(checkChannelsLast);
  const outputs = layers.map((l) => l.output as tf.SymbolicTensor);
  // The probe model shares the layers (and so the weights) of `model`; it owns no tensors and is
  // not disposed, which would release the shared layers.
  const probe = tf.model({ inputs: model.inputs, outputs });
  for (const range of batchRanges(calibrationCount(data, options), options.batchSize)) {
    tf.tidy(() => {
      const got = probe.predict(rows(data.xs, range));
      const list = Array.isArray(got) ? got : [got];
      list.forEach((t, i) => visit(i, t));
    });
  }
}

/** `t` ([batch, ..., channels]) as host floats with its batch, positions per example and channels. */
export function channelView(t: tf.Tensor): {
  data: Float32Array;
  batch: number;
  positions: number;
  channels: number;
} {
  const channels = t.shape[t.shape.length - 1] as number;
  const batch = t.shape[0] as number;
  return { data: t.dataSync() as Float32Array, batch, positions: t.size / (batch * channels), channels };
}
