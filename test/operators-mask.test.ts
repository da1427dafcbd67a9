import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, TensorError } from '../src/errors.js';
import {
  alignMask,
  blockScores,
  density,
  expandBlockMask,
  expandStructureMask,
  maskFromThreshold,
  structureScores,
  threshold,
} from '../src/operators/index.js';
import { trackTensors } from './helpers/leaks.js';

let leaks = trackTensors();
beforeEach(() => {
  leaks = trackTensors();
});
afterEach(() => {
  leaks.check();
});

const arr = (t: tf.Tensor): number[] => {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describe('threshold and density (Condensa test vectors)', () => {
  it('threshold of 0..29 at 0.2/0.3/0.5 is 24/21/15', () => {
    const t = tf.range(0, 30);
    expect(threshold(t, 0.2)).toBe(24);
    expect(threshold(t, 0.3)).toBe(21);
    expect(threshold(t, 0.5)).toBe(15);
    expect(threshold(t, 1)).toBe(0);
    t.dispose();
  });

  it('uses magnitudes, accepts arrays and lists of tensors (one global ranking)', () => {
    expect(threshold([-9, 1, -3, 2], 0.5)).toBe(3);
    const a = tf.tensor1d([0.5, -8]);
    const b = tf.tensor2d([
      [7, -1],
      [2, 3],
    ]);
    // magnitudes 0.5 8 7 1 2 3 -> top 3 = 8 7 3
    expect(threshold([a, b], 0.5)).toBe(3);
    tf.dispose([a, b]);
  });

  it('density of 10 zeros + 30 ones is 0.75', () => {
    const t = tf.tidy(() => tf.concat([tf.zeros([10]), tf.ones([30])]));
    expect(density(t)).toBe(0.75);
    t.dispose();
    expect(density([0, 0, 1, -2])).toBe(0.5);
  });

  it('rejects densities outside (0, 1], k == 0 and non-finite values with typed errors', () => {
    for (const d of [0, -0.1, 1.5, NaN]) {
      expect(() => threshold([1, 2, 3], d)).toThrow(InvalidArgumentError);
      expect(() => threshold([1, 2, 3], d)).toThrow(/density must be a number in \(0, 1\]/);
    }
    expect(() => threshold([1, 2, 3], 0.2)).toThrow(/makes the model zero/);
    expect(() => threshold([1, NaN, 3], 0.5, { what: 'conv1/kernel' })).toThrow(TensorError);
    expect(() => threshold([1, Infinity, 3], 0.5, { what: 'conv1/kernel' })).toThrow(
      /conv1\/kernel.*non-finite/,
    );
  });
});

describe('structure scores per criterion', () => {
  // dense kernel [in=3, out=2]: neuron 0 = [3, -4, 0], neuron 1 = [1, 1, -2]
  const w = (): tf.Tensor2D =>
    tf.tensor2d([
      [3, 1],
      [-4, 1],
      [0, -2],
    ]);
  const cases: Array<[Parameters<typeof structureScores>[1], number[]]> = [
    ['l2', [5, Math.fround(Math.sqrt(6))]],
    ['l1', [7, 4]],
    ['sum', [7, 4]],
    ['max', [4, 2]],
    ['min', [0, 1]],
    ['mean', [Math.fround(7 / 3), Math.fround(4 / 3)]],
    ['l2Scaled', [Math.fround(5 / 3), Math.fround(Math.sqrt(6) / 3)]],
  ];
  for (const [c, want] of cases) {
    it(`${c}`, () => {
      const t = w();
      expect(arr(structureScores(t, c))).toEqual(want);
      t.dispose();
    });
  }

  it('conv filters are the last axis of [kh, kw, in, out]; other axes on request', () => {
    // [1, 2, 1, 2]: filter 0 = [1, 3], filter 1 = [2, 4]
    const k = tf.tensor4d([1, 2, 3, 4], [1, 2, 1, 2]);
    expect(arr(structureScores(k, 'sum'))).toEqual([4, 6]);
    expect(arr(structureScores(k, 'sum', 1))).toEqual([3, 7]);
    expect(arr(structureScores(k, 'sum', [1, 3]))).toEqual([1, 2, 3, 4]);
    expect(() => structureScores(k, 'sum', 4)).toThrow(/axis 4 is out of range.*-4..3/);
    expect(() => structureScores(k, 'l3' as never)).toThrow(/unknown criteria 'l3'.*l2, l1/);
    k.dispose();
  });
});

describe('block scores', () => {
  it('reduces each block; the block shape must divide unless padded', () => {
    const w = tf.tensor2d([
      [1, 1, 0, 0, 5],
      [1, 1, 0, 2, 5],
    ]);
    expect(() => blockScores(w, [2, 2], 'sum', { what: 'fc1/kernel' })).toThrow(
      /fc1\/kernel: block shape \[2, 2\] does not divide the weight shape \[2, 5\].*pad/,
    );
    const s = blockScores(w, [2, 2], 'sum', { pad: true });
    expect(s.shape).toEqual([1, 3]);
    expect(arr(s)).toEqual([4, 2, 10]);
    // padded zeros count as elements: the last block's mean is 10 / 4
    expect(arr(blockScores(w, [2, 2], 'mean', { pad: true }))).toEqual([1, 0.5, 2.5]);
    expect(arr(blockScores(w, [2, 2], 'min', { pad: true }))).toEqual([1, 0, 0]);
    expect(() => blockScores(w, [2], 'sum')).toThrow(/rank 1 but the weight has shape \[2, 5\]/);
    w.dispose();
  });
});

describe('masks', () => {
  it('maskFromThreshold keeps scores >= threshold', () => {
    const s = tf.tensor1d([1, 5, 3]);
    expect(arr(maskFromThreshold(s, 3))).toEqual([0, 1, 1]);
    expect(() => maskFromThreshold(s, -1)).toThrow(InvalidArgumentError);
    s.dispose();
  });

  it('alignMask rounds survivors down to a multiple, keeping the highest scores', () => {
    const s = tf.tensor1d([1, 5, 3, 4, 2, 6]);
    const cases: Array<[number[], number, number[]]> = [
      [[1, 1, 1, 1, 1, 1], 4, [0, 1, 0, 1, 0, 1].map((v, i) => (i === 2 ? 1 : v))],
      [[0, 1, 1, 1, 0, 1], 2, [0, 1, 1, 1, 0, 1]],
      [[0, 1, 1, 0, 0, 1], 2, [0, 1, 0, 0, 0, 1]],
      [[0, 1, 1, 1, 0, 1], 1, [0, 1, 1, 1, 0, 1]],
      [[0, 1, 1, 1, 0, 1], 3, [0, 1, 0, 1, 0, 1]],
      // one survivor, align 2: never emptied; the best pruned structure is revived
      [[0, 0, 0, 0, 0, 1], 2, [0, 1, 0, 0, 0, 1]],
    ];
    for (const [m, align, want] of cases) {
      const mt = tf.tensor1d(m);
      expect(arr(alignMask(s, mt, align))).toEqual(want);
      mt.dispose();
    }
    const one = tf.tensor1d([0, 0, 0, 0, 0, 1]);
    expect(arr(alignMask(s, one, 2, { allowEmpty: true }))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => alignMask(s, one, 0)).toThrow(/align must be a positive integer, got 0/);
    tf.dispose([s, one]);
  });

  it('expands structure and block masks to the weight shape', () => {
    const m = tf.tensor1d([1, 0]);
    expect(arr(expandStructureMask(m, [3, 2]))).toEqual([1, 0, 1, 0, 1, 0]);
    expect(arr(expandStructureMask(m, [2, 3], 0))).toEqual([1, 1, 1, 0, 0, 0]);
    const b = tf.tensor2d([[1, 0, 1]]);
    expect(arr(expandBlockMask(b, [2, 2], [2, 5]))).toEqual([1, 1, 0, 0, 1, 1, 1, 0, 0, 1]);
    tf.dispose([m, b]);
  });
});
