import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, LayerError } from '../src/errors.js';
import { loadModel, saveModel } from '../src/io/index.js';
import {
  copyQuantization,
  dequantize,
  float16BitsToNumber,
  quantizationOf,
  quantize,
  roundToAffine8,
  roundToFloat16,
} from '../src/operators/index.js';
import { applyMask, clearPruning } from '../src/pruning/index.js';
import { trackTensors } from './helpers/leaks.js';

let leaks = trackTensors();
beforeEach(() => {
  leaks = trackTensors();
});
afterEach(() => {
  leaks.check();
});

describe('float16 rounding (IEEE binary16, round half to even)', () => {
  const cases: Array<[number, number, string]> = [
    [0, 0, 'zero'],
    [1, 1, 'one'],
    [-2.5, -2.5, 'exact'],
    [0.1, 0.0999755859375, '0.1 rounds down'],
    [1 + 2 ** -11, 1, 'tie between 1 and 1+2^-10 goes to the even mantissa (1)'],
    [1 + 3 * 2 ** -11, 1 + 2 ** -9, 'tie between 1+2^-10 and 1+2^-9 goes to the even mantissa'],
    [65504, 65504, 'largest half'],
    [65519, 65504, 'below the overflow midpoint'],
    [65520, Infinity, 'the overflow midpoint rounds (to even) to Inf'],
    [-1e6, -Infinity, 'overflow to -Inf'],
    [2 ** -14, 2 ** -14, 'smallest normal'],
    [2 ** -24, 2 ** -24, 'smallest subnormal'],
    [3 * 2 ** -25, 2 ** -23, 'subnormal tie 1.5 ulp -> 2 ulp (even)'],
    [2 ** -25, 0, 'half the smallest subnormal ties to 0 (even)'],
    [1.0000001 * 2 ** -25, 2 ** -24, 'just above half the smallest subnormal'],
    [1e-9, 0, 'underflow'],
    [2 ** -24 * 1000.3, 2 ** -24 * 1000, 'subnormal 1000.3 ulp -> 1000 ulp'],
  ];
  for (const [x, want, why] of cases) {
    it(`${x} -> ${want} (${why})`, () => {
      expect(roundToFloat16([Math.fround(x)])[0]).toBe(Math.fround(want));
    });
  }
  it('decodes bits', () => {
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0xc000)).toBe(-2);
    expect(float16BitsToNumber(0x7bff)).toBe(65504);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(float16BitsToNumber(0x7c00)).toBe(Infinity);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
  });
});

describe('8-bit affine rounding', () => {
  it('puts 0 on the grid and stays within half a step', () => {
    const v = new Float32Array([-1, 0, 0.5, 1, 0.3333, -0.77]);
    const { values, scale, min } = roundToAffine8(v);
    expect(values[1]).toBe(0);
    expect(scale).toBeCloseTo(2 / 255, 12);
    for (let i = 0; i < v.length; i++) {
      expect(Math.abs(values[i] - v[i])).toBeLessThanOrEqual(scale / 2 + 1e-7);
      const q = (values[i] - min) / scale;
      expect(Math.abs(q - Math.round(q))).toBeLessThan(1e-3);
    }
  });
});

function smallModel(): tf.LayersModel {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units: 3, name: 'fc1' }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.dense({ units: 2, name: 'fc2' }),
    ],
  });
  tf.tidy(() => {
    m.getLayer('fc1').setWeights([
      tf.tensor2d([0.1, -0.2, 0.3, 70000, 1e-9, -0.33, 0.5, 2 ** -24, 0.123456, 0, -1, 3], [4, 3]),
      tf.tensor1d([0.1, 0.2, -0.3]),
    ]);
  });
  return m;
}

describe('quantize / dequantize on layers', () => {
  it('float16: every weight of the layer kind is rounded and recorded; dequantize keeps values', () => {
    const m = smallModel();
    const fc1 = m.getLayer('fc1');
    const raw = fc1.getWeights().map((w) => w.dataSync().slice());
    quantize(fc1, 'float16');
    const got = fc1.getWeights().map((w) => Array.from(w.dataSync()));
    expect(got[0]).toEqual(Array.from(roundToFloat16(raw[0])));
    expect(got[0][3]).toBe(Infinity); // 70000 overflows half precision
    expect(got[0][4]).toBe(0);
    expect(got[1]).toEqual(Array.from(roundToFloat16(raw[1])));
    expect(quantizationOf(fc1, 'kernel')).toEqual({ dtype: 'float16' });
    expect(quantizationOf(fc1, 'bias')).toEqual({ dtype: 'float16' });
    quantize(m.getLayer('bn'), 'float16');
    expect(quantizationOf(m.getLayer('bn'), 'moving_variance')).toEqual({ dtype: 'float16' });
    const clone = smallModel();
    copyQuantization(m, clone);
    expect(quantizationOf(clone.getLayer('fc1'), 'kernel')).toEqual({ dtype: 'float16' });
    expect(quantizationOf(clone.getLayer('fc2'), 'kernel')).toBeNull();
    clone.dispose();
    dequantize(fc1);
    expect(quantizationOf(fc1, 'kernel')).toBeNull();
    expect(quantizationOf(clone.getLayer('fc1'), 'kernel')).toEqual({ dtype: 'float16' });
    expect(fc1.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(got);
    m.dispose();
  });

  it('int8: values land on the recorded uint8 grid, pruned zeros stay zero', () => {
    const m = smallModel();
    const fc2 = m.getLayer('fc2');
    const mask = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
    applyMask(fc2, 'kernel', mask);
    mask.dispose();
    quantize(fc2, 'int8', { weights: ['kernel'] });
    const rec = quantizationOf(fc2, 'kernel');
    expect(rec?.dtype).toBe('uint8');
    expect(quantizationOf(fc2, 'bias')).toBeNull();
    const k = fc2.getWeights()[0].dataSync();
    expect(k[1]).toBe(0);
    expect(k[2]).toBe(0);
    if (rec?.dtype === 'uint8') {
      for (const v of k) {
        const q = Math.round((v - rec.min) / rec.scale);
        expect(v).toBe(Math.fround(q * rec.scale + rec.min));
      }
    }
    clearPruning(m);
    m.dispose();
  });

  for (const [dtype, saved] of [
    ['float16', 'float16'],
    ['int8', 'uint8'],
  ] as const) {
    it(`${dtype}-quantized values are exactly what a ${saved} save loads back`, async () => {
      const m = smallModel();
      if (dtype === 'int8')
        tf.tidy(() =>
          m
            .getLayer('fc1')
            .setWeights([tf.randomNormal([4, 3], 0, 1, 'float32', 3), tf.tensor1d([0.1, 0.2, -0.3])]),
        );
      for (const l of m.layers) quantize(l, dtype);
      const dir = mkdtempSync(join(tmpdir(), 'condensa-quant-'));
      try {
        await saveModel(m, join(dir, 'm'), { quantization: saved });
        const back = await loadModel(join(dir, 'm'));
        const a = m.getWeights().map((w) => Array.from(w.dataSync()));
        const b = back.getWeights().map((w) => Array.from(w.dataSync()));
        if (dtype === 'float16') {
          expect(b).toEqual(a);
        } else {
          // The saver recomputes scale/min from the (already rounded) values, so the same grid
          // point can decode 1 float32 ulp apart; exact when the saver reuses quantizationOf's scale/min.
          a.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(b[i][j] - v)).toBeLessThan(1e-6)));
        }
        back.dispose();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      m.dispose();
    });
  }

  it('rejects unknown dtypes, unsupported layers and unknown weights, changing nothing', () => {
    const m = smallModel();
    const fc1 = m.getLayer('fc1');
    const w0 = fc1.getWeights().map((w) => Array.from(w.dataSync()));
    expect(() => quantize(fc1, 'int4' as never)).toThrow(InvalidArgumentError);
    expect(() => quantize(fc1, 'int4' as never)).toThrow(/unknown dtype 'int4'; accepted: float16, int8/);
    expect(() => quantize(fc1, 'float16', { weights: ['kernel', 'gamma'] })).toThrow(LayerError);
    const flat = tf.layers.flatten({ name: 'flat' });
    expect(() => quantize(flat, 'float16')).toThrow(/layer 'flat' is a Flatten.*supported kinds: .*Dense/);
    expect(fc1.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(w0);
    expect(quantizationOf(fc1, 'kernel')).toBeNull();
    // A NaN in the bias stops quantize before the kernel is rounded.
    tf.tidy(() => fc1.setWeights([fc1.getWeights()[0], tf.tensor1d([NaN, 0, 0])]));
    const w1 = fc1.getWeights()[0].dataSync().slice();
    expect(() => quantize(fc1, 'float16')).toThrow(/fc1\/bias holds a non-finite value \(NaN\)/);
    expect(fc1.getWeights()[0].dataSync()).toEqual(w1);
    m.dispose();
  });
});
