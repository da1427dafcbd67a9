import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, LayerError, TensorError } from '../src/errors.js';
import { getMask, isPruned, prune } from '../src/pruning/index.js';
import { disposeEachTest } from './helpers/leaks.js';

const track = disposeEachTest();

/** The seed's conv1: Conv2d(3, 256, 3) on 32x32x3 inputs (6912 kernel entries, 256 biases). */
function seedConv1(seed = 1): tf.layers.Layer {
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [32, 32, 3],
        filters: 256,
        kernelSize: 3,
        name: 'conv1',
        kernelInitializer: tf.initializers.glorotNormal({ seed }),
        biasInitializer: tf.initializers.randomNormal({ seed }),
      }),
    ],
  });
  track(m);
  return m.getLayer('conv1');
}

function dense(kernel: number[], inputs: number, units: number, name = 'fc'): tf.layers.Layer {
  const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [inputs], units, name })] });
  track(m);
  const l = m.getLayer(name);
  tf.tidy(() => l.setWeights([tf.tensor2d(kernel, [inputs, units]), tf.zeros([units])]));
  return l;
}

const mask = (l: tf.layers.Layer, name: string): number[] => Array.from(getMask(l, name)!.dataSync());
const zeros = (l: tf.layers.Layer, name: string): number => mask(l, name).filter((v) => v === 0).length;

/** Whether every slice along `axis` of `l`'s mask is all-0 or all-1; returns the pruned slice indices. */
function prunedSlices(l: tf.layers.Layer, name: string, axis: number): number[] {
  return tf.tidy(() => {
    const m = getMask(l, name)!;
    const other = m.shape.map((_, i) => i).filter((i) => i !== axis);
    const sums = Array.from(tf.sum(m, other).dataSync());
    const full = m.size / m.shape[axis];
    expect(sums.every((s) => s === 0 || s === full)).toBe(true);
    return sums.flatMap((s, i) => (s === 0 ? [i] : []));
  });
}

describe('the seed experiments: counts match the seed table', () => {
  it('random unstructured 0.4 on conv1 weight and bias prunes 2765 + 102 = 2867', () => {
    const l = seedConv1();
    prune.randomUnstructured(l, 'kernel', 0.4, { seed: 1 });
    prune.randomUnstructured(l, 'bias', 0.4, { seed: 1 });
    expect(zeros(l, 'kernel') + zeros(l, 'bias')).toBe(2867);
  });

  it('l1 unstructured 0.4 prunes the 2765 smallest kernel entries', () => {
    const l = seedConv1();
    const mags = Array.from(l.getWeights()[0].dataSync(), Math.abs).sort((a, b) => a - b);
    prune.l1Unstructured(l, 'kernel', 0.4);
    expect(zeros(l, 'kernel')).toBe(2765);
    const w = Array.from(l.getWeights()[0].dataSync());
    const kept = w.filter((v) => v !== 0).map(Math.abs);
    expect(Math.min(...kept)).toBeGreaterThanOrEqual(mags[2764]);
  });

  it('random structured 0.4 / 0.41479 along out prunes 102 / 106 whole filters (2754 / 2862 entries)', () => {
    for (const [amount, filters] of [
      [0.4, 102],
      [0.41479, 106],
    ] as const) {
      const l = seedConv1();
      prune.randomStructured(l, 'kernel', amount, 'out', { seed: 7 });
      expect(prunedSlices(l, 'kernel', 3).length).toBe(filters);
      expect(zeros(l, 'kernel')).toBe(filters * 27);
    }
  });

  it('ln structured n=1 0.41479 prunes the 106 filters of smallest L1 norm', () => {
    const l = seedConv1();
    const norms = tf.tidy(() => Array.from(tf.sum(tf.abs(l.getWeights()[0]), [0, 1, 2]).dataSync()));
    prune.lnStructured(l, 'kernel', 0.41479, 1, 'out');
    const pruned = prunedSlices(l, 'kernel', 3);
    expect(pruned.length).toBe(106);
    const cut = Math.max(...pruned.map((i) => norms[i]));
    norms.forEach((n, i) => {
      if (!pruned.includes(i)) expect(n).toBeGreaterThanOrEqual(cut);
    });
  });

  it('the every-other-entry custom method prunes 3456 + 128 = 3584', () => {
    const l = seedConv1();
    prune.everyOtherEntry.apply(l, 'kernel');
    prune.everyOtherEntry.apply(l, 'bias');
    expect(zeros(l, 'kernel') + zeros(l, 'bias')).toBe(3584);
    expect(mask(l, 'bias').slice(0, 4)).toEqual([0, 1, 0, 1]);
    // Again: every other entry of the 128 unpruned ones.
    prune.everyOtherEntry.apply(l, 'bias');
    expect(zeros(l, 'bias')).toBe(192);
    expect(mask(l, 'bias').slice(0, 8)).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe('amounts', () => {
  it('fractions round half to even; integers > 1 are counts; { count } and { fraction } are explicit', () => {
    const cases: Array<[Parameters<typeof prune.l1Unstructured>[2], number]> = [
      [0.25, 2], // 0.25 * 10 = 2.5 -> 2
      [0.35, 4], // 3.5 -> 4
      [0.45, 4], // 4.5 -> 4
      [1, 10],
      [0, 0],
      [3, 3],
      [{ count: 1 }, 1],
      [{ fraction: 0.5 }, 5],
    ];
    for (const [amount, pruned] of cases) {
      const l = dense([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, 2);
      prune.l1Unstructured(l, 'kernel', amount);
      expect(zeros(l, 'kernel'), JSON.stringify(amount)).toBe(pruned);
      expect(mask(l, 'kernel').slice(0, pruned)).toEqual(new Array(pruned).fill(0));
    }
  });

  it('ties: the entry earlier in tfjs row-major order is pruned first', () => {
    const l = dense([2, 1, 1, 1, 2, 1], 3, 2);
    prune.l1Unstructured(l, 'kernel', 2);
    expect(mask(l, 'kernel')).toEqual([1, 0, 0, 1, 1, 1]);
  });

  it('rejects negative amounts, fractions > 1 and counts > n, naming the weight', () => {
    const l = dense([1, 2, 3, 4, 5, 6], 3, 2);
    for (const bad of [-0.1, 1.5, -3, NaN, { count: 2.5 }, { fraction: 1.2 }] as const) {
      expect(() => prune.l1Unstructured(l, 'kernel', bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => prune.l1Unstructured(l, 'kernel', 1.5)).toThrow(
      /amount 1.5 is a fraction greater than 1; accepted: a fraction in \[0, 1\]/,
    );
    expect(() => prune.l1Unstructured(l, 'kernel', 7)).toThrow(
      /fc\/kernel: amount 7 is more than the 6 prunable units/,
    );
    expect(() => prune.lnStructured(l, 'kernel', 3, 2, 'out')).toThrow(
      /fc\/kernel: amount 3 is more than the 2 prunable units/,
    );
    expect(isPruned(l)).toBe(false);
  });
});

describe('structured methods: dims, norms, validation', () => {
  // Dense [in=3, out=2]: neurons (out) [1, -2, 2] and [4, 0, 0]; inputs (in) [1, 4], [-2, 0], [2, 0].
  const k = [1, 4, -2, 0, 2, 0];
  const cases: Array<
    [Parameters<typeof prune.lnStructured>[3], Parameters<typeof prune.lnStructured>[4], number[]]
  > = [
    [1, 'out', [1, 0, 1, 0, 1, 0]], // l1 5 vs 4 -> neuron 1 pruned
    [2, 'out', [0, 1, 0, 1, 0, 1]], // l2 3 vs 4 -> neuron 0 pruned
    ['fro', 'out', [0, 1, 0, 1, 0, 1]],
    [Infinity, 'out', [0, 1, 0, 1, 0, 1]], // max 2 vs 4
    [-Infinity, 'out', [1, 0, 1, 0, 1, 0]], // min 1 vs 0
    // l1 per input 5, 2, 2; 0.5 * 3 = 1.5 -> 2 pruned: inputs 1 and 2 (tie broken by lower index, both go)
    [1, 'in', [1, 1, 0, 0, 0, 0]],
    [2, 1, [0, 1, 0, 1, 0, 1]], // numeric axis 1 of [in, out] is 'out'
    [1, 0, [1, 1, 0, 0, 0, 0]], // numeric axis 0 is 'in'
  ];
  for (const [n, dim, want] of cases) {
    it(`n=${String(n)} dim=${dim}`, () => {
      const l = dense(k, 3, 2);
      prune.lnStructured(l, 'kernel', 0.5, n, dim);
      expect(mask(l, 'kernel')).toEqual(want);
    });
  }

  it("'in' is kernel axis 2 of a conv; numeric axes work; pruned slices are whole", () => {
    const l = seedConv1();
    const norms = tf.tidy(() =>
      Array.from(tf.sqrt(tf.sum(tf.square(l.getWeights()[0]), [0, 1, 3])).dataSync()),
    );
    prune.lnStructured(l, 'kernel', { count: 1 }, 2, 'in');
    expect(prunedSlices(l, 'kernel', 2)).toEqual([norms.indexOf(Math.min(...norms))]);
    const l2 = seedConv1();
    prune.randomStructured(l2, 'kernel', 2, 0, { seed: 3 });
    expect(prunedSlices(l2, 'kernel', 0).length).toBe(2);
  });

  it('rejects biases, unknown dim names and out-of-range axes with the accepted values', () => {
    const l = seedConv1();
    expect(() => prune.lnStructured(l, 'bias', 0.5, 2, 0)).toThrow(
      /conv1\/bias: LnStructured needs a weight of rank >= 2/,
    );
    expect(() => prune.lnStructured(l, 'kernel', 0.5, 2, 4)).toThrow(
      /dim 4 is out of range.*accepted: 'out', 'in' or -4..3/,
    );
    expect(() => prune.lnStructured(l, 'kernel', 0.5, 2, 'up' as never)).toThrow(
      /dim 'up' has no axis.*accepted: 'in', 'out', a numeric axis -4..3/,
    );
    const m = tf.sequential({
      layers: [tf.layers.depthwiseConv2d({ inputShape: [4, 4, 2], kernelSize: 1, name: 'dw' })],
    });
    track(m);
    expect(() => prune.lnStructured(m.getLayer('dw'), 'depthwise_kernel', 0.5, 2, 'out')).toThrow(
      /dw\/depthwise_kernel \(DepthwiseConv2D\): dim 'out' has no axis.*accepted: 'in'/,
    );
    expect(() => prune.lnStructured(l, 'kernel', 0.5, 'nuc' as never, 'out')).toThrow(/not a norm order/);
    expect(() => prune.l1Unstructured(l, 'weight', 0.5)).toThrow(LayerError);
    expect(isPruned(l)).toBe(false);
  });
});

describe('random methods are seeded', () => {
  it('same seed, same mask; another seed, another mask', () => {
    const masks = [1, 1, 2].map((seed) => {
      const l = seedConv1();
      prune.randomUnstructured(l, 'kernel', 0.3, { seed });
      return mask(l, 'kernel');
    });
    expect(masks[0]).toEqual(masks[1]);
    expect(masks[0]).not.toEqual(masks[2]);
    const s = [5, 5, 6].map((seed) => {
      const l = seedConv1();
      prune.randomStructured(l, 'kernel', 0.5, 'out', { seed });
      return prunedSlices(l, 'kernel', 3);
    });
    expect(s[0]).toEqual(s[1]);
    expect(s[0]).not.toEqual(s[2]);
  });

  it('iterative random pruning takes its fraction of the live entries', () => {
    const l = seedConv1();
    prune.randomUnstructured(l, 'kernel', 0.5, { seed: 1 });
    prune.randomUnstructured(l, 'kernel', 0.5, { seed: 2 });
    expect(zeros(l, 'kernel')).toBe(3456 + 1728);
    const s = seedConv1();
    prune.randomStructured(s, 'kernel', 0.5, 'out', { seed: 3 });
    prune.randomStructured(s, 'kernel', 0.5, 'out', { seed: 4 });
    expect(prunedSlices(s, 'kernel', 3).length).toBe(192);
  });
});

describe('global vs per-layer', () => {
  it('one ranking over all weights differs from per-layer pruning at the same amount', () => {
    const big = (): tf.layers.Layer => dense([10, 20, 30, 40], 2, 2, 'big');
    const small = (): tf.layers.Layer => dense([1, 2, 3, 4], 2, 2, 'small');
    const [b1, s1] = [big(), small()];
    prune.globalUnstructured(
      [
        [b1, 'kernel'],
        [s1, 'kernel'],
      ],
      { method: 'l1Unstructured', amount: 0.5 },
    );
    expect(mask(b1, 'kernel')).toEqual([1, 1, 1, 1]);
    expect(mask(s1, 'kernel')).toEqual([0, 0, 0, 0]);
    const [b2, s2] = [big(), small()];
    prune.l1Unstructured(b2, 'kernel', 0.5);
    prune.l1Unstructured(s2, 'kernel', 0.5);
    expect(mask(b2, 'kernel')).toEqual([0, 0, 1, 1]);
    expect(mask(s2, 'kernel')).toEqual([0, 0, 1, 1]);
  });

  it('importance scores replace magnitudes; random global is seeded; bad input changes nothing', () => {
    const a = dense([1, 2, 3, 4], 2, 2, 'a');
    const b = dense([5, 6, 7, 8], 2, 2, 'b');
    const imp = tf.tensor2d([9, 9, 9, 9], [2, 2]);
    prune.globalUnstructured(
      [
        [a, 'kernel'],
        [b, 'kernel'],
      ],
      { method: prune.L1Unstructured, amount: 4, importanceScores: { 'a/kernel': imp } },
    );
    imp.dispose();
    expect(mask(a, 'kernel')).toEqual([1, 1, 1, 1]);
    expect(mask(b, 'kernel')).toEqual([0, 0, 0, 0]);
    const c = dense([1, 2, 3, 4], 2, 2, 'c');
    const d = dense([1, 2, 3, 4], 2, 2, 'd');
    expect(() =>
      prune.globalUnstructured(
        [
          [c, 'kernel'],
          [d, 'gamma'],
        ],
        { method: 'l1Unstructured', amount: 0.5 },
      ),
    ).toThrow(/'d' \(Dense\) has no weight 'gamma'/);
    expect(() =>
      prune.globalUnstructured([[c, 'kernel']], { method: (x) => prune.LnStructured(x, 1, 0), amount: 0.5 }),
    ).toThrow(/LnStructured is structured; only unstructured/);
    expect(() => prune.globalUnstructured([[c, 'kernel']], { method: 'l2' as never, amount: 0.5 })).toThrow(
      /unknown method 'l2'/,
    );
    expect(() =>
      prune.globalUnstructured(
        [
          [c, 'kernel'],
          [d, 'kernel'],
        ],
        { method: 'l1Unstructured', amount: 9 },
      ),
    ).toThrow(/amount 9 is more than the 8 prunable units/);
    expect(isPruned(c) || isPruned(d)).toBe(false);
    const e = dense([1, 2, 3, 4], 2, 2, 'e');
    prune.globalUnstructured([[e, 'kernel']], { method: 'randomUnstructured', amount: 0.5, seed: 3 });
    expect(zeros(e, 'kernel')).toBe(2);
  });
});

describe('reparametrisation: identity, customFromMask, remove, custom methods', () => {
  it('identity marks as pruned; customFromMask multiplies; remove makes it permanent', () => {
    const l = dense([1, 2, 3, 4, 5, 6], 3, 2);
    prune.identity(l, 'kernel');
    expect(prune.isPruned(l)).toBe(true);
    expect(mask(l, 'kernel')).toEqual([1, 1, 1, 1, 1, 1]);
    const m = tf.tensor2d([1, 0, 1, 1, 1, 0], [3, 2]);
    prune.customFromMask(l, 'kernel', m);
    m.dispose();
    prune.l1Unstructured(l, 'kernel', 1 / 4); // 4 live entries -> 1 more pruned: |1|
    expect(mask(l, 'kernel')).toEqual([0, 0, 1, 1, 1, 0]);
    prune.remove(l, 'kernel');
    expect(prune.isPruned(l)).toBe(false);
    expect(Array.from(l.getWeights()[0].dataSync())).toEqual([0, 0, 3, 4, 5, 0]);
    const wrong = tf.ones([2, 3]);
    expect(() => prune.customFromMask(l, 'kernel', wrong)).toThrow(TensorError);
    wrong.dispose();
  });

  it('definePruningMethod: unstructured custom methods see only live entries (the TSDoc example)', () => {
    const aboveMean = prune.definePruningMethod({
      name: 'AboveMean',
      kind: 'unstructured',
      computeMask: (t, mask) => tf.mul(mask, tf.cast(tf.greater(tf.abs(t), tf.mean(tf.abs(t))), 'float32')),
    });
    const l = dense([1, -2, 3, 4, -5, 6], 3, 2);
    aboveMean.apply(l, 'kernel');
    expect(mask(l, 'kernel')).toEqual([0, 0, 0, 1, 1, 1]);
    aboveMean.apply(l, 'kernel'); // mean of the live 4, 5, 6 is 5
    expect(mask(l, 'kernel')).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('definePruningMethod: structured custom methods see only live slices', () => {
    // Prune the first live neuron, whatever its values.
    const firstLive = prune.definePruningMethod({
      name: 'FirstLive',
      kind: 'structured',
      dim: 'out',
      computeMask: (t, m) => {
        const [rows, cols] = t.shape as [number, number];
        return tf.mul(m, tf.concat([tf.zeros([rows, 1]), tf.ones([rows, cols - 1])], 1));
      },
    });
    const l = dense([1, 2, 3, 4, 5, 6, 7, 8, 9], 3, 3);
    firstLive.apply(l, 'kernel');
    firstLive.apply(l, 'kernel');
    expect(mask(l, 'kernel')).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1]);
    expect(() => prune.definePruningMethod({ kind: 'structured', computeMask: (t) => t })).toThrow(
      /needs a dim/,
    );
    const bad = prune.definePruningMethod({ kind: 'unstructured', computeMask: () => tf.ones([2]) });
    expect(() => bad.apply(l, 'kernel')).toThrow(/returned a mask of shape \[2\]/);
  });
});
