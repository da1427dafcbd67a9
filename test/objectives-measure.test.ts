import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  Maximize,
  Minimize,
  defineObjective,
  flops,
  latency,
  modelBytes,
  objectives,
  params,
  searchops,
  throughput,
  toObjective,
} from '../src/objectives/index.js';
import { applyMask } from '../src/pruning/state.js';
import { InvalidArgumentError } from '../src/errors.js';

/** Dense 4 -> 3 -> 2, linear, with biases: 27 + 14 weights... see the FLOPs test for the count. */
function mlp(): tf.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [4],
      units: 3,
      name: 'fc1',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(
    tf.layers.dense({ units: 2, name: 'fc2', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  );
  return model;
}

function convNet(): tf.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [8, 8, 1],
      filters: 4,
      kernelSize: 3,
      name: 'conv1',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({ units: 3, name: 'fc', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
  );
  return model;
}

describe('objectives', () => {
  it('throughput and latency are positive and leak no tensors', async () => {
    const model = convNet();
    const before = tf.memory().numTensors;
    const ips = await throughput({ batchSize: 8, warmup: 1, repeats: 3 }).measure(model);
    const ms = await latency({ percentile: 90, repeats: 5 }).measure(model);
    expect(ips).toBeGreaterThan(0);
    expect(Number.isFinite(ips)).toBe(true);
    expect(ms).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(throughput().name).toBe('throughput(bs=64)');
    expect(throughput().higherIsBetter).toBe(true);
    expect(latency().higherIsBetter).toBe(false);
    model.dispose();
  });

  it('rejects bad timing options with typed errors', async () => {
    const model = mlp();
    await expect(throughput({ repeats: 0 }).measure(model)).rejects.toThrow(
      /repeats must be an integer >= 1/,
    );
    expect(() => latency({ percentile: 0 })).toThrow(InvalidArgumentError);
    model.dispose();
  });

  it('counts FLOPs and parameters by hand', async () => {
    const model = mlp();
    // fc1: 2*4*3 multiply-adds + 3 bias adds = 27; fc2: 2*3*2 + 2 = 14 (linear: no activation cost).
    expect(await flops().measure(model)).toBe(27 + 14);
    // fc1: 4*3 + 3; fc2: 3*2 + 2.
    expect(await params().measure(model)).toBe(15 + 8);
    model.dispose();
  });

  it('counts nonzero parameters and bytes of a pruned model; gzip shrinks the sparse weights', async () => {
    const model = tf.sequential();
    model.add(
      tf.layers.dense({
        inputShape: [64],
        units: 64,
        name: 'big',
        kernelInitializer: tf.initializers.randomNormal({ seed: 5 }),
      }),
    );
    const raw = await modelBytes().measure(model);
    expect(raw).toBe(4 * (64 * 64 + 64));
    const denseZipped = await modelBytes({ gzip: true }).measure(model);
    const before = tf.memory().numTensors;
    // Keep one weight in ten (a deterministic pattern).
    const mask = tf.tidy(() =>
      tf.cast(tf.equal(tf.mod(tf.range(0, 64 * 64, 1, 'int32'), 10), 0), 'float32').reshape([64, 64]),
    );
    applyMask(model.getLayer('big'), 'kernel', mask);
    mask.dispose();
    const afterMask = tf.memory().numTensors;
    const kept = Math.ceil((64 * 64) / 10);
    // The bias is initialised to zeros, so only the kept kernel entries are nonzero.
    expect(await params({ nonzero: true }).measure(model)).toBe(kept);
    expect(await modelBytes().measure(model)).toBe(raw);
    const sparseZipped = await modelBytes({ gzip: true }).measure(model);
    expect(sparseZipped).toBeLessThan(raw / 3);
    expect(sparseZipped).toBeLessThan(denseZipped);
    expect(tf.memory().numTensors).toBe(afterMask);
    expect(afterMask).toBeGreaterThanOrEqual(before);
    model.dispose();
  });

  it('measures the compacted model when asked: filter-pruned FLOPs and params by hand', async () => {
    const model = convNet();
    const conv = model.getLayer('conv1');
    // Prune filters 2 and 3 of conv1 (kernel and bias), leaving 2 of 4.
    const keep = tf.tensor1d([1, 1, 0, 0]);
    const kernelMask = tf.tidy(() => tf.ones([3, 3, 1, 4]).mul(keep));
    applyMask(conv, 'kernel', kernelMask);
    applyMask(conv, 'bias', keep);
    tf.dispose([keep, kernelMask]);
    const before = tf.memory().numTensors;
    // conv1 (6x6x4 outputs): 2*9*1*4*36 + 144 bias = 2736; fc: 2*144*3 + 3 = 867.
    expect(await flops().measure(model)).toBe(2736 + 867);
    // Compacted: 2 filters -> 2*9*2*36 + 72 = 1368; fc sees 72 inputs: 2*72*3 + 3 = 435.
    expect(await flops({ compact: true }).measure(model)).toBe(1368 + 435);
    expect(await params({ compact: true }).measure(model)).toBe(9 * 2 + 2 + 72 * 3 + 3);
    expect(await modelBytes({ compact: true }).measure(model)).toBe(4 * (9 * 2 + 2 + 72 * 3 + 3));
    expect(
      await throughput({ batchSize: 4, warmup: 0, repeats: 1, compact: true }).measure(model),
    ).toBeGreaterThan(0);
    // The compacted copies are disposed and the model itself is unchanged.
    expect(tf.memory().numTensors).toBe(before);
    expect(await params().measure(model)).toBe(9 * 4 + 4 + 144 * 3 + 3);
    model.dispose();
  });

  it('wraps user functions and validates what they return', async () => {
    const model = mlp();
    const layers = defineObjective('layers', (m) => m.layers.length);
    expect(await layers.measure(model)).toBe(2);
    const asyncFn = toObjective(async (m) => m.countParams() * 2);
    expect(await asyncFn.measure(model)).toBe(46);
    await expect(defineObjective('bad', () => NaN).measure(model)).rejects.toThrow(/'bad' returned NaN/);
    expect(() => toObjective({} as never)).toThrow(InvalidArgumentError);
    expect(objectives.throughput).toBe(throughput);
    model.dispose();
  });

  it('Maximize / Minimize orient the score; searchops exposes them', async () => {
    const model = mlp();
    const max = new searchops.Maximize(params());
    const min = new Minimize(flops());
    expect(max).toBeInstanceOf(Maximize);
    expect(max.direction).toBe('maximize');
    expect(min.direction).toBe('minimize');
    expect(max.score(3)).toBe(3);
    expect(min.score(3)).toBe(-3);
    expect(await min.measure(model)).toBe(41);
    expect(min.name).toBe('minimize(flops)');
    expect(new Maximize((m) => m.countParams()).objective.name).toBeTypeOf('string');
    model.dispose();
  });
});
