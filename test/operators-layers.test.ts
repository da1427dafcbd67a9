import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, LayerError, TensorError } from '../src/errors.js';
import {
  blockPrune,
  filterPrune,
  magnitudePrune,
  neuronPrune,
  structureScores,
  threshold,
} from '../src/operators/index.js';
import { getMask, isPruned, prune } from '../src/pruning/index.js';
import { disposeEachTest } from './helpers/leaks.js';

const track = disposeEachTest();

function model(layer: tf.layers.Layer, inputShape: number[]): tf.layers.Layer {
  const m = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape }), layer] });
  track(m);
  return layer;
}

/** Dense [in=3, out=2] with the given kernel (row-major [in, out]) and bias. */
function dense(kernel: number[], bias = [1, 2]): tf.layers.Layer {
  const l = model(tf.layers.dense({ units: 2, name: 'fc' }), [3]);
  tf.tidy(() => l.setWeights([tf.tensor2d(kernel, [3, 2]), tf.tensor1d(bias)]));
  return l;
}

/**
 * Conv2D 1x1, in=2, filters=3. Kernel [1, 1, 2, 3] row-major = in-major: in0 -> [f0, f1, f2], in1 -> [f0, f1, f2].
 * Filters: f0 = [1, 1] (l2 1.414, max 1, min 1), f1 = [0, 0.5] (0.5, 0.5, 0), f2 = [3, -4] (5, 4, 3).
 */
function conv(): tf.layers.Layer {
  const l = model(tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'conv1' }), [2, 2, 2]);
  tf.tidy(() => l.setWeights([tf.tensor4d([1, 0, 3, 1, 0.5, -4], [1, 1, 2, 3]), tf.tensor1d([7, 8, 9])]));
  return l;
}

// `+ 0` folds -0 (a masked negative weight) into 0 for comparison.
const weights = (l: tf.layers.Layer): number[][] =>
  l.getWeights().map((w) => Array.from(w.dataSync(), (v) => v + 0));
const maskOf = (l: tf.layers.Layer, name: string): number[] => Array.from(getMask(l, name)!.dataSync());

describe('magnitudePrune (Condensa pi.prune)', () => {
  it('keeps |w| >= threshold, multiplies with earlier masks, and is also callable as prune()', () => {
    const l = dense([1, -5, 3, 0.5, -2, 4]);
    magnitudePrune(l, { threshold: 2 });
    expect(weights(l)[0]).toEqual([0, -5, 3, 0, -2, 4]);
    expect(weights(l)[1]).toEqual([1, 2]);
    prune(l, { threshold: 3 });
    expect(maskOf(l, 'kernel')).toEqual([0, 1, 1, 0, 0, 1]);
    prune(l, { threshold: 1.5, weight: 'bias' });
    expect(weights(l)[1]).toEqual([0, 2]);
  });

  it('with threshold(values, density) reaches the density (ties kept)', () => {
    const l = dense([1, -5, 3, 0.5, -2, 4]);
    const w = l.getWeights()[0];
    magnitudePrune(l, { threshold: threshold(w, 0.5) });
    expect(maskOf(l, 'kernel')).toEqual([0, 1, 1, 0, 0, 1]);
  });
});

describe('filterPrune (Condensa pi.filter_prune)', () => {
  it('zeroes filters (last kernel axis) scoring below the threshold, with their bias', () => {
    const l = conv();
    filterPrune(l, { threshold: 1 });
    expect(weights(l)[0]).toEqual([1, 0, 3, 1, 0, -4]);
    expect(weights(l)[1]).toEqual([7, 0, 9]);
  });

  it('uses the criteria; pruneBias: false leaves the bias', () => {
    const cases: Array<[Parameters<typeof filterPrune>[1], number[]]> = [
      [{ threshold: 1, criteria: 'max' }, [1, 0, 1]],
      [{ threshold: 0.5, criteria: 'min' }, [1, 0, 1]],
      [{ threshold: 4, criteria: 'l1' }, [0, 0, 1]],
      [{ threshold: 0.25, criteria: 'mean' }, [1, 1, 1]],
      [{ threshold: 0.3, criteria: 'l2Scaled' }, [1, 0, 1]], // 0.707, 0.25, 2.5
      [{ threshold: 0.5, criteria: 'sum' }, [1, 1, 1]],
    ];
    for (const [opts, want] of cases) {
      const l = conv();
      filterPrune(l, { ...opts, pruneBias: false });
      expect(maskOf(l, 'kernel').slice(0, 3), JSON.stringify(opts)).toEqual(want);
      expect(isPruned(l, 'bias')).toBe(false);
    }
  });

  it('align rounds survivors down to a multiple, keeping the best filters, never to zero', () => {
    const l = conv();
    filterPrune(l, { threshold: 0, align: 2 }); // 3 survivors -> 2: f2 and f0
    expect(maskOf(l, 'kernel').slice(0, 3)).toEqual([1, 0, 1]);
    const l2 = conv();
    filterPrune(l2, { threshold: 2, align: 2 }); // 1 survivor (f2) -> min width 2: f0 revived
    expect(maskOf(l2, 'kernel').slice(0, 3)).toEqual([1, 0, 1]);
    const l3 = conv();
    filterPrune(l3, { threshold: 2, align: 2, allowEmpty: true });
    expect(maskOf(l3, 'kernel').slice(0, 3)).toEqual([0, 0, 0]);
    expect(weights(l3)[1]).toEqual([0, 0, 0]);
  });

  it('agrees with a threshold taken from structureScores at a density', () => {
    const l = conv();
    const s = structureScores(l.getWeights()[0], 'l2');
    filterPrune(l, { threshold: threshold(s, 2 / 3) });
    s.dispose();
    expect(maskOf(l, 'bias')).toEqual([1, 0, 1]);
  });

  it('DepthwiseConv2D: output channel c * mult + m is kernel slice [:, :, c, m], as is its bias', () => {
    const l = model(tf.layers.depthwiseConv2d({ kernelSize: 1, depthMultiplier: 2, name: 'dw' }), [2, 2, 2]);
    tf.tidy(() => l.setWeights([tf.tensor4d([1, -3, 0.5, 2], [1, 1, 2, 2]), tf.tensor1d([1, 2, 3, 4])]));
    filterPrune(l, { threshold: 1.5 });
    expect(weights(l)).toEqual([
      [0, -3, 0, 2],
      [0, 2, 0, 4],
    ]);
  });

  it('SeparableConv2D: filters are the pointwise kernel outputs', () => {
    const l = model(tf.layers.separableConv2d({ kernelSize: 1, filters: 2, name: 'sep' }), [2, 2, 1]);
    tf.tidy(() =>
      l.setWeights([
        tf.tensor4d([1], [1, 1, 1, 1]),
        tf.tensor4d([0.1, 2], [1, 1, 1, 2]),
        tf.tensor1d([5, 6]),
      ]),
    );
    filterPrune(l, { threshold: 1 });
    expect(weights(l)).toEqual([[1], [0, 2], [0, 6]]);
  });

  it('rejects layers it cannot handle, naming the layer, its class and the supported kinds', () => {
    const l = dense([1, 2, 3, 4, 5, 6]);
    expect(() => filterPrune(l, { threshold: 1 })).toThrow(LayerError);
    expect(() => filterPrune(l, { threshold: 1 })).toThrow(
      /layer 'fc' is a Dense.*supported kinds: Conv1D, Conv2D/,
    );
    const c = conv();
    expect(() => neuronPrune(c, { threshold: 1 })).toThrow(
      /layer 'conv1' is a Conv2D.*supported kinds: Dense/,
    );
    expect(isPruned(l) || isPruned(c)).toBe(false);
  });
});

describe('neuronPrune (Condensa pi.neuron_prune)', () => {
  it('zeroes output units (last axis of [in, out]) and their bias', () => {
    // neuron 0 = [3, -4, 0] (l2 5), neuron 1 = [1, 1, -2] (l2 2.449)
    const l = dense([3, 1, -4, 1, 0, -2], [1, 2]);
    neuronPrune(l, { threshold: 3 });
    expect(weights(l)).toEqual([
      [3, 0, -4, 0, 0, 0],
      [1, 0],
    ]);
  });
});

describe('blockPrune (Condensa pi.blockprune)', () => {
  it('zeroes whole blocks scoring below the threshold', () => {
    const l = model(tf.layers.dense({ units: 4, name: 'fc4' }), [2]);
    tf.tidy(() => l.setWeights([tf.tensor2d([1, 1, 0, 0.1, 1, 1, 0.1, 0], [2, 4]), tf.zeros([4])]));
    blockPrune(l, { threshold: 1, blockSize: [2, 2], criteria: 'sum' });
    expect(weights(l)[0]).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
  });

  it('pads when asked, otherwise rejects non-dividing blocks naming the weight', () => {
    const l = dense([1, 2, 3, 4, 5, 6]);
    expect(() => blockPrune(l, { threshold: 1, blockSize: [2, 2] })).toThrow(InvalidArgumentError);
    expect(() => blockPrune(l, { threshold: 1, blockSize: [2, 2] })).toThrow(
      /fc\/kernel: block shape \[2, 2\] does not divide.*\[3, 2\]/,
    );
    expect(isPruned(l)).toBe(false);
    // blocks: rows 0-1 ([1, 2, 3, 4]: max 4), row 2 padded ([5, 6, 0, 0]: max 6)
    blockPrune(l, { threshold: 5, blockSize: [2, 2], criteria: 'max', pad: true });
    expect(weights(l)[0]).toEqual([0, 0, 0, 0, 5, 6]);
  });
});

describe('bad input leaves the layer unchanged', () => {
  it('NaN/Inf weights, bad thresholds, unknown weights', () => {
    const l = dense([1, NaN, 3, 4, 5, 6]);
    const w0 = weights(l);
    expect(() => magnitudePrune(l, { threshold: 1 })).toThrow(TensorError);
    expect(() => magnitudePrune(l, { threshold: 1 })).toThrow(
      /fc\/kernel holds a non-finite value \(NaN\) at flat index 1/,
    );
    expect(() => neuronPrune(l, { threshold: 1 })).toThrow(/fc\/kernel.*non-finite/);
    const ok = dense([1, 2, 3, 4, 5, 6]);
    expect(() => magnitudePrune(ok, { threshold: -1 })).toThrow(
      /threshold must be a finite number >= 0, got -1/,
    );
    expect(() => magnitudePrune(ok, { threshold: NaN })).toThrow(InvalidArgumentError);
    expect(() => magnitudePrune(ok, { threshold: 1, weight: 'gamma' })).toThrow(
      /layer 'fc' \(Dense\) has no weight 'gamma'; its weights are: kernel, bias/,
    );
    expect(() => filterPrune(conv(), { threshold: 1, align: 0 })).toThrow(
      /align must be a positive integer, got 0/,
    );
    expect(() => filterPrune(conv(), { threshold: 1, criteria: 'l3' as never })).toThrow(
      /unknown criteria 'l3'; accepted: l2, l1/,
    );
    expect(weights(l)).toEqual(w0);
    expect(isPruned(l) || isPruned(ok)).toBe(false);
  });

  it('a NaN in the bias stops filterPrune before the kernel is masked', () => {
    const l = conv();
    tf.tidy(() => l.setWeights([l.getWeights()[0], tf.tensor1d([1, Infinity, 3])]));
    const w0 = weights(l);
    expect(() => filterPrune(l, { threshold: 1 })).toThrow(
      /conv1\/bias holds a non-finite value \(Infinity\)/,
    );
    expect(weights(l)).toEqual(w0);
    expect(isPruned(l)).toBe(false);
  });
});
