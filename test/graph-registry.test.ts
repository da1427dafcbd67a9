import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { applyMask } from '../src/pruning/index.js';
import {
  compactWithPlan,
  dependencyGraph,
  filterPruneGroups,
  supportedLayerKinds,
} from '../src/graph/index.js';
import {
  type Sym,
  conv,
  disposeAll,
  functional,
  init,
  maxRelativeError,
  randomInput,
  randomizeBiasesAndNorms,
  zeroFilters,
} from './graph-fixtures.js';
import { trackTensors } from './helpers/leaks.js';
import { kindRows } from './layer-kind-rows.js';

// Each row: a tiny model around one layer kind. Conv 'p' (and 'q' where there are two branches)
// have filters 1 and 3 zeroed (kernel only, bias kept, so the pruned channels emit a nonzero
// constant); `removed` is how many channels compaction must remove from p's group.
interface Row {
  kind: string;
  body: (x: Sym) => Sym;
  zero?: string[];
  removed: number;
  input?: number[];
}

const head = (y: Sym): Sym => {
  const flat = y.shape.length > 2 ? (tf.layers.flatten({ name: 'flat' }).apply(y) as Sym) : y;
  return tf.layers
    .dense({ name: 'out', units: 3, activation: 'softmax', kernelInitializer: init() })
    .apply(flat) as Sym;
};
const p = (x: Sym, extra: Record<string, unknown> = {}): Sym =>
  conv('p', 6, { activation: 'relu', ...extra }).apply(x) as Sym;
const q = (x: Sym): Sym => conv('q', 6, { activation: 'tanh' }).apply(x) as Sym;
const next = (y: Sym, padding = 'valid'): Sym => conv('c', 5, { padding }).apply(y) as Sym;
const after = (layer: tf.layers.Layer) => (x: Sym) => head(next(layer.apply(p(x)) as Sym));
const merged = (layer: tf.layers.Layer) => (x: Sym) => head(next(layer.apply([p(x), q(x)]) as Sym));

const rows: Row[] = [
  { kind: 'Conv2D (valid consumer folds the constant)', body: (x) => head(next(p(x))), removed: 2 },
  {
    kind: "Conv2D ('same' consumer cannot fold a nonzero constant)",
    body: (x) => head(next(p(x), 'same')),
    removed: 0,
  },
  {
    kind: 'Conv2D (strided, dilated producer)',
    body: (x) => head(next(p(x, { strides: 2, dilationRate: 1, padding: 'same' }))),
    removed: 2,
  },
  {
    kind: 'Dense -> Dense',
    input: [7],
    body: (x) => {
      const a = tf.layers
        .dense({ name: 'p', units: 6, activation: 'relu', kernelInitializer: init() })
        .apply(x) as Sym;
      const b = tf.layers.dense({ name: 'c', units: 5, kernelInitializer: init() }).apply(a) as Sym;
      return tf.layers.dense({ name: 'out', units: 3, kernelInitializer: init() }).apply(b) as Sym;
    },
    removed: 2,
  },
  { kind: 'BatchNormalization', body: after(tf.layers.batchNormalization({ name: 'bn' })), removed: 2 },
  {
    kind: 'Activation',
    body: after(tf.layers.activation({ name: 'act', activation: 'sigmoid' })),
    removed: 2,
  },
  {
    kind: 'Activation softmax pins channels',
    body: after(tf.layers.activation({ name: 'act', activation: 'softmax' })),
    removed: 0,
  },
  { kind: 'Softmax pins channels', body: after(tf.layers.softmax({ name: 'sm', axis: -1 })), removed: 0 },
  { kind: 'ReLU', body: after(tf.layers.reLU({ name: 'r' })), removed: 2 },
  { kind: 'LeakyReLU', body: after(tf.layers.leakyReLU({ name: 'r', alpha: 0.2 })), removed: 2 },
  { kind: 'ELU', body: after(tf.layers.elu({ name: 'r' })), removed: 2 },
  { kind: 'ThresholdedReLU', body: after(tf.layers.thresholdedReLU({ name: 'r', theta: 0.1 })), removed: 2 },
  { kind: 'MaxPooling2D', body: after(tf.layers.maxPooling2d({ name: 'mp', poolSize: 2 })), removed: 2 },
  {
    kind: 'AveragePooling2D (same)',
    body: after(tf.layers.averagePooling2d({ name: 'ap', poolSize: 3, strides: 2, padding: 'same' })),
    removed: 2,
  },
  { kind: 'Dropout', body: after(tf.layers.dropout({ name: 'd', rate: 0.5 })), removed: 2 },
  { kind: 'GaussianNoise', body: after(tf.layers.gaussianNoise({ name: 'g', stddev: 0.5 })), removed: 2 },
  { kind: 'GaussianDropout', body: after(tf.layers.gaussianDropout({ name: 'g', rate: 0.5 })), removed: 2 },
  {
    kind: 'ZeroPadding2D (a nonzero constant varies at the border)',
    body: after(tf.layers.zeroPadding2d({ name: 'z' })),
    removed: 0,
  },
  { kind: 'Cropping2D', body: after(tf.layers.cropping2D({ name: 'cr', cropping: [1, 1] })), removed: 2 },
  { kind: 'UpSampling2D', body: after(tf.layers.upSampling2d({ name: 'up', size: [2, 2] })), removed: 2 },
  {
    kind: 'GlobalAveragePooling2D',
    body: (x) => head(tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(p(x)) as Sym),
    removed: 2,
  },
  {
    kind: 'GlobalMaxPooling2D',
    body: (x) => head(tf.layers.globalMaxPooling2d({ name: 'gmp' }).apply(p(x)) as Sym),
    removed: 2,
  },
  { kind: 'Flatten (h*w entries per channel)', body: (x) => head(p(x)), removed: 2 },
  {
    kind: 'Add (pruned in both branches)',
    body: merged(tf.layers.add({ name: 'm' })),
    zero: ['p', 'q'],
    removed: 2,
  },
  {
    kind: 'Add (pruned in one branch only: kept)',
    body: merged(tf.layers.add({ name: 'm' })),
    zero: ['p'],
    removed: 0,
  },
  { kind: 'Multiply', body: merged(tf.layers.multiply({ name: 'm' })), zero: ['p', 'q'], removed: 2 },
  { kind: 'Average', body: merged(tf.layers.average({ name: 'm' })), zero: ['p', 'q'], removed: 2 },
  { kind: 'Maximum', body: merged(tf.layers.maximum({ name: 'm' })), zero: ['p', 'q'], removed: 2 },
  { kind: 'Minimum', body: merged(tf.layers.minimum({ name: 'm' })), zero: ['p', 'q'], removed: 2 },
  // Only p is pruned: its channels sit at offset 0 of the concatenation, q's stay.
  { kind: 'Concatenate (channel offsets)', body: merged(tf.layers.concatenate({ name: 'cat' })), removed: 2 },
  {
    // The branches are tied like Add; p's relu(bias) and q's tanh(bias) differ, so the stacked
    // channel is not uniform and stays.
    kind: 'Concatenate (spatial axis ties channels like Add)',
    body: merged(tf.layers.concatenate({ name: 'cat', axis: 1 })),
    zero: ['p', 'q'],
    removed: 0,
  },
  {
    kind: 'DepthwiseConv2D (valid: constant stays constant)',
    body: after(tf.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, depthwiseInitializer: init() })),
    removed: 2,
  },
  {
    kind: "DepthwiseConv2D ('same': constant varies at the border)",
    body: after(
      tf.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, padding: 'same', depthwiseInitializer: init() }),
    ),
    removed: 0,
  },
  {
    kind: 'SeparableConv2D consumer (depth multiplier 2)',
    body: (x) =>
      head(
        tf.layers
          .separableConv2d({
            name: 'sep',
            filters: 4,
            kernelSize: 3,
            depthMultiplier: 2,
            depthwiseInitializer: init(),
            pointwiseInitializer: init(),
          })
          .apply(p(x)) as Sym,
      ),
    removed: 2,
  },
  {
    kind: 'SeparableConv2D producer',
    body: (x) => {
      const s = tf.layers
        .separableConv2d({
          name: 'p',
          filters: 6,
          kernelSize: 3,
          activation: 'relu',
          depthwiseInitializer: init(),
          pointwiseInitializer: init(),
        })
        .apply(x) as Sym;
      return head(next(s));
    },
    removed: 2,
  },
];

describe('layer-kind registry: compaction through each kind equals the masked model', () => {
  it.each(rows)('$kind', (row) => {
    const leaks = trackTensors();
    const shape = row.input ?? [10, 10, 3];
    const model = functional(shape, row.body);
    randomizeBiasesAndNorms(model, 3);
    for (const name of row.zero ?? ['p']) zeroFilters(model, name, [1, 3]);
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.removed.reduce((s, r) => s + r.removed, 0)).toBe(row.removed);
    const x = randomInput([3, ...shape]);
    expect(maxRelativeError(model, small, x)).toBeLessThanOrEqual(1e-5);
    expect(small.countParams()).toBeLessThanOrEqual(model.countParams());
    if (row.removed > 0) expect(small.countParams()).toBeLessThan(model.countParams());
    x.dispose();
    disposeAll(model, small);
    leaks.check();
  });

  it('covers every registered kind', () => {
    const tested = new Set(['InputLayer', ...[...rows, ...kindRows].map((r) => r.kind.split(' ')[0])]);
    expect(supportedLayerKinds().filter((k) => !tested.has(k))).toEqual([]);
  });
});

describe('pins and unsupported layers', () => {
  it('keeps a filter that is only partly zero', () => {
    const model = functional([8, 8, 3], (x) => head(next(p(x))));
    randomizeBiasesAndNorms(model, 4);
    const layer = model.getLayer('p');
    const mask = tf.tidy(() => {
      // Filter 2 loses every weight but one; filter 4 loses all of them.
      const m = tf.buffer([3, 3, 3, 6], 'float32');
      for (let i = 0; i < 27; i++)
        for (let o = 0; o < 6; o++) m.values[i * 6 + o] = o === 4 || (o === 2 && i > 0) ? 0 : 1;
      return m.toTensor();
    });
    applyMask(layer, 'kernel', mask);
    mask.dispose();
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.removed.map((r) => r.removed)).toEqual([1]);
    const x = randomInput([2, 8, 8, 3]);
    expect(maxRelativeError(model, small, x)).toBeLessThanOrEqual(1e-5);
    x.dispose();
    disposeAll(model, small);
  });

  it('never removes model input or output channels', () => {
    const model = functional([4, 4, 2], (x) => head(p(x)));
    const groups = dependencyGraph(model).groups();
    expect(groups.find((g) => g.producers.includes('out'))!.pins.map((pin) => pin.reason)).toContain(
      'model output',
    );
    expect(groups[0].pins.map((pin) => pin.reason)).toEqual(['model input']);
    zeroFilters(model, 'out', [0]);
    const small = compactWithPlan(model).model;
    expect((small.outputs[0].shape as number[])[1]).toBe(3);
    disposeAll(model, small);
  });

  it('group pruning through a same-padded consumer zeroes BN too, so the channels can go', () => {
    const leaks = trackTensors();
    const model = functional([8, 8, 3], (x) =>
      head(next(tf.layers.batchNormalization({ name: 'bn' }).apply(p(x)) as Sym, 'same')),
    );
    randomizeBiasesAndNorms(model, 5);
    filterPruneGroups(model, { density: 0.5, scope: 'group' });
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.removed.map((r) => [r.layers, r.removed])).toEqual([
      [['p', 'bn'], 3],
      [['c', 'flat'], 2],
    ]);
    const x = randomInput([2, 8, 8, 3]);
    expect(maxRelativeError(model, small, x)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x]);
    disposeAll(model, small);
    leaks.check();
  });

  it('keeps, naming the layer and why, pruned channels a channel-coupling layer consumes', () => {
    const model = functional([8, 8, 3], (x) =>
      head(next(tf.layers.layerNormalization({ name: 'ln' }).apply(p(x)) as Sym)),
    );
    randomizeBiasesAndNorms(model, 8);
    zeroFilters(model, 'p', [0, 2]);
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.removed).toEqual([]);
    const pin = plan.pinned.find((g) => g.layers.includes('p'))!;
    expect(pin.channels).toBe(2);
    expect(pin.reasons.join('; ')).toMatch(
      /layer 'ln' \(LayerNormalization\): .*normalises over the channels/,
    );
    const x = randomInput([2, 8, 8, 3]);
    expect(maxRelativeError(model, small, x)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x]);
    disposeAll(model, small);
  });

  it('goes around an unsupported layer whose channels are not pruned', () => {
    const model = functional([8, 8, 3], (x) =>
      head(tf.layers.layerNormalization({ name: 'ln' }).apply(next(p(x))) as Sym),
    );
    randomizeBiasesAndNorms(model, 9);
    zeroFilters(model, 'p', [0, 2]);
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.removed.map((r) => r.removed)).toEqual([2]);
    const x = randomInput([2, 8, 8, 3]);
    expect(maxRelativeError(model, small, x)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x]);
    disposeAll(model, small);
  });

  it('pins the channels of a depthwise conv with multiplier > 1, saying why', () => {
    const model = functional([8, 8, 3], (x) =>
      head(
        tf.layers
          .depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, depthwiseInitializer: init() })
          .apply(p(x)) as Sym,
      ),
    );
    randomizeBiasesAndNorms(model, 6);
    zeroFilters(model, 'p', [1]);
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.pinned.map((g) => g.reasons.join('; ')).join('\n')).toMatch(
      /'dw' \(DepthwiseConv2D\).*depth multiplier > 1/,
    );
    const x = randomInput([2, 8, 8, 3]);
    expect(maxRelativeError(model, small, x)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x]);
    disposeAll(model, small);
  });
});
