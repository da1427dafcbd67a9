import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';

/** Fixed seed of the benchmark input: the same model always sees the same images. */
const INPUT_SEED = 1234;

/** Deterministic random inputs of the model's input shapes at `batchSize` (caller disposes). */
export function benchmarkInputs(model: tf.LayersModel, batchSize: number): tf.Tensor[] {
  return model.inputs.map((input, i) => {
    const shape = input.shape.slice(1);
    if (shape.some((d) => d === null)) {
      throw new InvalidArgumentError(
        `input '${input.name}' of model '${model.name}' has an unknown dimension (${JSON.stringify(input.shape)}); ` +
          'throughput and latency need fully known input shapes',
      );
    }
    return tf.randomUniform([batchSize, ...(shape as number[])], 0, 1, 'float32', INPUT_SEED + i);
  });
}

/**
 * Throw unless batch size and repeats are integers >= 1 and warmup an integer >= 0.
 *
 * @example
 * ```ts
 * checkTimingCounts(64, 2, 5); // fine; checkTimingCounts(0, 2, 5) throws InvalidArgumentError
 * ```
 */
export function checkTimingCounts(batchSize: number, warmup: number, repeats: number): void {
  for (const [name, v, min] of [
    ['batchSize', batchSize, 1],
    ['warmup', warmup, 0],
    ['repeats', repeats, 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${v}`);
  }
}

/**
 * Milliseconds of `repeats` forward passes (after `warmup` untimed ones), each timed until its
 * outputs are downloaded, so asynchronous backends are measured to completion.
 */
export async function timeForward(
  model: tf.LayersModel,
  batchSize: number,
  warmup: number,
  repeats: number,
): Promise<number[]> {
  checkTimingCounts(batchSize, warmup, repeats);
  const inputs = benchmarkInputs(model, batchSize);
  const feed = inputs.length === 1 ? inputs[0] : inputs;
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + repeats; i++) {
      const start = performance.now();
      const out = model.predict(feed);
      const outs = Array.isArray(out) ? out : [out];
      await Promise.all(outs.map((t) => t.data()));
      const elapsed = performance.now() - start;
      tf.dispose(outs);
      if (i >= warmup) times.push(elapsed);
    }
  } finally {
    tf.dispose(inputs);
  }
  return times;
}

/** Nearest-rank percentile (0 < p <= 100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
