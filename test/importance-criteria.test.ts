import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, LayerError } from '../src/errors.js';
import { importanceScores, leastPairwiseTv, registerImportance } from '../src/importance/index.js';
import { expectNoLeaks } from './helpers/leaks.js';
import { CLASSES, calibration, convOutputs, FILTERS, tinyModel } from './importance-fixture.js';

const close = (got: Float32Array, want: number[], digits = 5) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
};

/** Scores of the tiny model's 'conv' layer, asserting that scoring leaks no tensor. */
async function convScores(importance: string, opts: Record<string, unknown> = {}): Promise<Float32Array> {
  const model = tinyModel();
  const data = calibration();
  const s = await expectNoLeaks(
    () => importanceScores(model, importance, { data, layers: ['conv'], ...opts }).conv,
  );
  tf.dispose([data.xs, data.ys]);
  model.dispose();
  return s;
}

describe('weight criteria on a 3-filter conv with known weights', () => {
  it("'l1' and 'l2' are the filter norms", async () => {
    close(await convScores('l1'), [2, 3, 0.5]);
    close(await convScores('l2'), [Math.SQRT2, Math.sqrt(5), 0.5]);
  });

  it("'lamp' divides each squared norm by the squares at least as large", async () => {
    close(await convScores('lamp'), [2 / 7, 1, 0.25 / 7.25]);
  });

  it("'fpgm' sums each filter's distances to the others", async () => {
    const [d01, d02, d12] = [3, Math.sqrt(1.25), Math.sqrt(5.25)];
    close(await convScores('fpgm'), [d01 + d02, d01 + d12, d02 + d12]);
  });

  it("'bnScale' reads |gamma| of the batch norm on the conv's output", async () => {
    close(await convScores('bnScale'), [0.5, 2, 1]);
  });

  it("'random' is seeded: the same seed repeats, another differs", async () => {
    const a = await convScores('random', { seed: 7 });
    expect(await convScores('random', { seed: 7 })).toEqual(a);
    expect(await convScores('random', { seed: 8 })).not.toEqual(a);
    for (const v of a) expect(v >= 0 && v < 1).toBe(true);
  });
});

describe('activation criteria against the conv computed by plain loops', () => {
  const outs = convOutputs();
  const perFilter = (f: (values: number[]) => number) =>
    FILTERS.map((_, k) => f(outs.flatMap((e) => e.map((p) => p[k]))));

  it("'activation' is the mean ReLU output (filter 0 by hand: 22 / 16)", async () => {
    const s = await convScores('activation', { batchSize: 3 });
    expect(s[0]).toBeCloseTo(22 / 16, 6);
    close(
      s,
      perFilter((v) => v.reduce((a, b) => a + b, 0) / v.length),
    );
  });

  it("'apoz' is 1 - the fraction of zeros (filter 0 by hand: 6 zeros of 16)", async () => {
    const s = await convScores('apoz', { batchSize: 3 });
    expect(s[0]).toBeCloseTo(10 / 16, 6);
    close(
      s,
      perFilter((v) => 1 - v.filter((x) => x === 0).length / v.length),
    );
  });

  it("'tvs' is the least class-pair TV distance of the pooled outputs' histograms", async () => {
    const s = await convScores('tvs', { bins: 4, batchSize: 3 });
    const pooled = FILTERS.map((_, k) => outs.map((e) => e.reduce((a, p) => a + p[k], 0) / e.length));
    close(
      s,
      pooled.map((v) => leastPairwiseTv(v, Int32Array.from(CLASSES), 2, 4)),
    );
  });

  it('leastPairwiseTv: separated classes give 1, identical ones 0, the closest pair wins', () => {
    expect(leastPairwiseTv([0, 1, 2, 3], Int32Array.from([0, 0, 1, 1]), 2, 2)).toBe(1);
    expect(leastPairwiseTv([0, 3, 0, 3], Int32Array.from([0, 0, 1, 1]), 2, 2)).toBe(0);
    // classes 0 and 1 share bin 0 half the time: TV 0.5; class 2 is apart from both.
    expect(leastPairwiseTv([0, 0, 0, 3, 3, 3], Int32Array.from([0, 0, 1, 1, 2, 2]), 3, 2)).toBe(0.5);
  });
});

describe("'taylor'", () => {
  /** Theta computed from dL/dz with tf.grad on the layers after the conv (no weight identity). */
  function directTaylor(model: tf.LayersModel, batches: number[][]): number[] {
    const zIn = tf.input({ shape: [2, 2, 3] });
    let h: tf.SymbolicTensor = zIn;
    for (const name of ['bn', 'flatten', 'fc', 'out']) {
      const layer = model.layers.find(
        (l) => l.name === name || (name === 'flatten' && l.getClassName() === 'Flatten'),
      )!;
      h = layer.apply(h) as tf.SymbolicTensor;
    }
    const rest = tf.model({ inputs: zIn, outputs: h });
    const conv = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer('conv').output as tf.SymbolicTensor,
    });
    const theta = [0, 0, 0];
    const { xs, ys } = calibration();
    for (const idx of batches) {
      tf.tidy(() => {
        const x = tf.gather(xs, idx);
        const y = tf.gather(ys, idx);
        const z = conv.predict(x) as tf.Tensor;
        const g = tf.grad((zz: tf.Tensor) =>
          tf.metrics.categoricalCrossentropy(y, rest.apply(zz) as tf.Tensor).mean(),
        )(z);
        // dL/dz of the batch-mean loss is dl/dz / batch; Theta = |mean over examples, positions of dl/dz z|.
        const s = tf
          .mul(g, z)
          .mul(idx.length)
          .sum([0, 1, 2])
          .div(idx.length * 4)
          .dataSync();
        s.forEach((v, k) => (theta[k] += Math.abs(v)));
      });
    }
    tf.dispose([xs, ys]);
    const norm = Math.hypot(...theta);
    return theta.map((t) => t / norm);
  }

  it('matches |mean dL/dz * z| from tf.grad on the activation, accumulated over minibatches', async () => {
    const model = tinyModel();
    const want = directTaylor(model, [[0, 1, 2], [3]]);
    model.dispose();
    const got = await convScores('taylor', { batchSize: 3 });
    close(got, want, 5);
    expect(Math.hypot(...got)).toBeCloseTo(1, 6);
  });

  it('subtracts lambda times the normalised per-filter FLOPs', async () => {
    const plain = await convScores('taylor', { batchSize: 3 });
    const reg = await convScores('taylor', { batchSize: 3, flopsLambda: 0.1 });
    // One scored layer: its per-filter FLOPs normalise to 1.
    close(
      reg,
      Array.from(plain, (v) => v - 0.1),
    );
  });

  it('refuses a layer whose activation is not linear or relu', () => {
    const model = tinyModel();
    expect(() => importanceScores(model, 'taylor', { data: calibration(), layers: ['out'] })).toThrow(
      LayerError,
    );
    model.dispose();
  });
});

describe('importanceScores', () => {
  it('scores every layer with structures by default, and accepts a user function', async () => {
    const model = tinyModel();
    const all = await expectNoLeaks(() => importanceScores(model, 'l2'));
    expect(Object.keys(all)).toEqual(['conv', 'fc', 'out']);
    const mine = importanceScores(
      model,
      ({ layers }) =>
        Object.fromEntries(layers.map((l) => [l.name, new Float32Array(l.name === 'conv' ? 3 : 2)])),
      { layers: ['conv'] },
    );
    expect(mine.conv).toEqual(new Float32Array(3));
    expect(() =>
      importanceScores(model, () => ({ conv: new Float32Array(2) }), { layers: ['conv'] }),
    ).toThrow(/2 scores/);
    model.dispose();
  });

  it('names what is missing: calibration data, labels, an unknown criterion, a duplicate name', () => {
    const model = tinyModel();
    expect(() => importanceScores(model, 'apoz')).toThrow(/calibration data/);
    const { xs, ys } = calibration();
    expect(() => importanceScores(model, 'taylor', { data: { xs } })).toThrow(/labels/);
    expect(() => importanceScores(model, 'nope')).toThrow(InvalidArgumentError);
    expect(() => registerImportance('l1', { needs: 'none', description: '', score: () => ({}) })).toThrow(
      /already registered/,
    );
    expect(() => importanceScores(model, 'bnScale', { layers: ['fc'] })).toThrow(/BatchNormalization/);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
