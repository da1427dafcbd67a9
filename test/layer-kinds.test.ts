import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compactWithPlan, countFlops, supportedLayerKinds } from '../src/graph/index.js';
import { registerLayerKind, layerKind } from '../src/core/layer-kinds/index.js';
import {
  disposeAll,
  functional,
  maxRelativeError,
  randomInput,
  randomizeBiasesAndNorms,
  zeroFilters,
} from './graph-fixtures.js';
import { kindRows } from './layer-kind-rows.js';
import { trackTensors } from './helpers/leaks.js';

describe('layer kinds: compaction through each kind equals the masked model', () => {
  it.each(kindRows)('$kind', (row) => {
    const leaks = trackTensors();
    const model = functional(row.input, row.body);
    randomizeBiasesAndNorms(model, 3);
    zeroFilters(model, 'p', [1, 3]);
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.removed.reduce((s, r) => s + r.removed, 0)).toBe(row.removed);
    if (row.pinned) expect(plan.pinned.flatMap((g) => g.reasons).join('\n')).toMatch(row.pinned);
    const x = row.kind.startsWith('Embedding')
      ? tf.tensor2d([
          [1, 2, 3, 4, 5, 9],
          [0, 7, 7, 2, 8, 1],
        ])
      : randomInput([2, ...row.input]);
    expect(maxRelativeError(model, small, x)).toBeLessThanOrEqual(1e-5);
    if (row.removed > 0) expect(small.countParams()).toBeLessThan(model.countParams());
    const flops = countFlops(model);
    expect(flops.warnings).toEqual([]);
    expect(flops.perLayer.every((l) => l.flops >= 0 && Number.isFinite(l.flops))).toBe(true);
    if (row.removed > 0) expect(countFlops(small).total).toBeLessThan(flops.total);
    x.dispose();
    disposeAll(model, small);
    leaks.check();
  });

  it('takes a variable-length sequence model: unknown widths are pinned, their FLOPs warn', () => {
    const leaks = trackTensors();
    const input = tf.input({ shape: [null] as unknown as number[] });
    // Seeded weights: unseeded ones left every unpruned ReLU of 'p' dead in about one run in a
    // few hundred, an all-zero output whose relative error is 0/0.
    const init = (seed: number) => tf.initializers.glorotNormal({ seed });
    const e = tf.layers
      .embedding({ inputDim: 20, outputDim: 6, embeddingsInitializer: init(1) })
      .apply(input) as tf.SymbolicTensor;
    const gru = tf.layers.gru({
      units: 5,
      kernelInitializer: init(2),
      recurrentInitializer: tf.initializers.orthogonal({ seed: 3 }),
    });
    const r = gru.apply(e) as tf.SymbolicTensor;
    const h = tf.layers
      .dense({ name: 'p', units: 6, activation: 'relu', kernelInitializer: init(4), biasInitializer: 'ones' })
      .apply(r) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 2, kernelInitializer: init(5) }).apply(h) as tf.SymbolicTensor,
    });
    zeroFilters(model, 'p', [1, 3]);
    const { model: small, plan } = compactWithPlan(model);
    expect(plan.removed.map((g) => [g.layers, g.removed])).toEqual([[['p'], 2]]);
    const x = tf.tensor2d([[1, 4, 2, 9, 3]]);
    expect(maxRelativeError(model, small, x)).toBeLessThanOrEqual(1e-5);
    const flops = countFlops(model);
    expect(flops.warnings.join('\n')).toMatch(
      /\(GRU\) counted as 0 FLOPs: its tensors' shapes are not fully known/,
    );
    expect(flops.total).toBeGreaterThan(0);
    x.dispose();
    disposeAll(model, small);
    leaks.check();
  });

  it('registers each class once: a second registration throws unless replacing', () => {
    const dense = layerKind('Dense')!;
    expect(() => registerLayerKind(dense)).toThrow(/'Dense' is already registered.*replace: true/);
    registerLayerKind(dense, { replace: true });
    expect(layerKind('Dense')).toBe(dense);
    expect(new Set(supportedLayerKinds()).size).toBe(supportedLayerKinds().length);
  });
});
