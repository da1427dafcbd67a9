import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { compact, filterPruneGroups, groupImportance } from '../src/graph/index.js';
import { seedNet } from '../src/models/index.js';

import { GroupPrune, compressWithReport, schemeFromSpec } from '../src/schemes/index.js';
import { disposeEachTest } from './helpers/leaks.js';

const track = disposeEachTest();

/** Indices of the output channels of `layer` (last kernel axis) with any nonzero weight. */
function liveChannels(model: tf.LayersModel, layer: string): number[] {
  const w = model.getLayer(layer).getWeights()[0];
  const units = w.shape[w.shape.length - 1];
  const live = new Set<number>();
  w.dataSync().forEach((v, i) => {
    if (v !== 0) live.add(i % units);
  });
  return [...live].sort((a, b) => a - b);
}

/** Multiply `layer`'s kernel by `factor` per output channel (a function of the channel index). */
function scaleFilters(model: tf.LayersModel, layer: string, factor: (c: number) => number): void {
  const l = model.getLayer(layer);
  const [k, ...rest] = l.getWeights();
  const units = k.shape[k.shape.length - 1];
  const scaled = tf.tidy(() => tf.mul(k, tf.tensor1d(Array.from({ length: units }, (_, c) => factor(c)))));
  l.setWeights([scaled, ...rest]);
  scaled.dispose();
}

/**
 * A small functional CNN with a residual add: the stem and res_b share one channel group (their
 * sum), res_a and mix have their own. The stage's filters are made small (as a stem with few
 * inputs and a small init has), so one global threshold would cut the whole stage; mix keeps one
 * strong filter among weak ones, so the threshold leaves it 1 of 16 channels.
 */
function residualNet(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const conv = (name: string, filters: number, seed: number, x: tf.SymbolicTensor): tf.SymbolicTensor =>
    tf.layers
      .conv2d({
        name,
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed }),
      })
      .apply(x) as tf.SymbolicTensor;
  const stem = conv('stem', 8, 1, input);
  const b = conv('res_b', 8, 3, conv('res_a', 8, 2, stem));
  const sum = tf.layers.add({ name: 'stage' }).apply([stem, b]) as tf.SymbolicTensor;
  const mix = conv('mix', 16, 4, sum);
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(mix) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ name: 'head', units: 5, kernelInitializer: tf.initializers.heNormal({ seed: 5 }) })
    .apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  scaleFilters(model, 'stem', () => 0.005);
  scaleFilters(model, 'res_b', () => 0.005);
  scaleFilters(model, 'mix', (c) => (c === 5 ? 10 : 0.02));
  return model;
}

/** The model's outputs on a fixed random batch, as host floats. */
function outputs(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => {
    const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 7);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

describe('GroupPrune empty-group guard', () => {
  it('keeps the best channel of a residual group the global threshold would empty, warns, and compacts', () => {
    const model = track(residualNet());
    const stage = groupImportance(model).find((g) => g.producers.includes('stem'))!;
    const best = stage.scores.indexOf(Math.max(...stage.scores));

    const report = compressWithReport(new GroupPrune({ density: 0.3 }), model);

    expect(liveChannels(model, 'stem')).toEqual([best]);
    expect(liveChannels(model, 'res_b')).toEqual([best]);
    for (const layer of ['stem', 'res_b']) {
      expect(report.compressed.find((c) => c.layer === layer)).toMatchObject({
        unit: 'channel',
        total: 8,
        kept: 1,
        guarded: true,
        ownDensity: false,
      });
    }
    const warning = report.warnings.find((w) => w.includes("'stem'"));
    expect(warning).toMatch(/^GroupPrune: the global threshold would remove all 8 channels of /);
    expect(warning).toMatch(/'res_b'/);
    expect(warning).toMatch(/keeps its 1 best.*allowEmptyLayers: true/);

    const small = track(compact(model));
    expect(small.getLayer('stem').getWeights()[0].shape[3]).toBe(1);
    const y = outputs(small);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(Array.from(y)).not.toEqual(Array.from(y).fill(y[0]));
  });

  it('allowEmptyLayers: true cuts the whole group (literal semantics), with a floor warning', () => {
    const model = track(residualNet());
    const scheme = new GroupPrune({ density: 0.3, allowEmptyLayers: true });
    scheme.pi(model);
    expect(liveChannels(model, 'stem')).toEqual([]);
    expect(liveChannels(model, 'res_b')).toEqual([]);
    expect(scheme.lastReport!.compressed.find((c) => c.layer === 'stem')).toMatchObject({
      kept: 0,
      guarded: false,
    });
    expect(scheme.lastReport!.warnings.join('\n')).toMatch(
      /GroupPrune: the global threshold leaves 'stem' \+ 'res_b' 0 of 8 channels \(0\.00%\), below the floor 10\.0%/,
    );
    // The same cut without the option is the guarded one: the difference is the option's doing.
    const guarded = track(residualNet());
    new GroupPrune({ density: 0.3, allowEmptyLayers: false }).pi(guarded);
    expect(liveChannels(guarded, 'stem')).toHaveLength(1);
  });

  it('FPGM over a chain CNN: conv1 keeps its best channel unless allowed to empty', () => {
    const guarded = track(seedNet({ width: 0.0625, seed: 1 }));
    const scheme = new GroupPrune({ density: 0.3, importance: 'fpgm' });
    scheme.pi(guarded);
    expect(liveChannels(guarded, 'conv1')).toHaveLength(1);
    expect(scheme.lastReport!.warnings.join('\n')).toMatch(/all 16 channels of 'conv1'.*keeps its 1 best/);
    const small = track(compact(guarded));
    expect(outputs32(small).every(Number.isFinite)).toBe(true);

    const literal = track(seedNet({ width: 0.0625, seed: 1 }));
    new GroupPrune({ density: 0.3, importance: 'fpgm', allowEmptyLayers: true }).pi(literal);
    expect(liveChannels(literal, 'conv1')).toEqual([]);
  });

  it('warns about a group the threshold leaves under warnBelow, floored at the density', () => {
    const model = track(residualNet());
    const report = compressWithReport(new GroupPrune({ density: 0.3 }), model);
    expect(report.compressed.find((c) => c.layer === 'mix')).toMatchObject({
      kept: 1,
      total: 16,
      guarded: false,
    });
    expect(report.warnings.filter((w) => w.includes("'mix'"))).toEqual([
      expect.stringMatching(/leaves 'mix' 1 of 16 channels \(6\.25%\), below the floor 10\.0%/),
    ]);
    // Exactly two warnings: the guarded stage and mix under the floor (res_a is fine).
    expect(report.warnings).toHaveLength(2);

    const quiet = track(residualNet());
    const off = compressWithReport(new GroupPrune({ density: 0.3, warnBelow: 0 }), quiet);
    expect(off.warnings).toHaveLength(1);
    expect(off.warnings[0]).toMatch(/would remove all 8 channels/);

    // The floor is min(warnBelow, density): warnBelow 0.9 at density 0.3 warns below 30%.
    const chain = track(seedNet({ width: 0.0625, seed: 1 }));
    const byDensity = compressWithReport(new GroupPrune({ density: 0.3, warnBelow: 0.9 }), chain);
    const kept = Object.fromEntries(byDensity.compressed.map((c) => [c.layer, c.density!]));
    expect(kept.conv1).toBe(1 / 16);
    for (const layer of ['conv2', 'conv3']) {
      const warned = byDensity.warnings.some((w) => w.includes(`leaves '${layer}'`));
      expect(warned, layer).toBe(kept[layer] < 0.3);
    }
    expect(byDensity.warnings.join('\n')).toMatch(/all 16 channels of 'conv1'/);
    expect(byDensity.warnings.join('\n')).toMatch(/below the floor 30\.0%/);
  });

  it('filterPruneGroups guards too, and reports per group', () => {
    const model = track(residualNet());
    const result = filterPruneGroups(model, { density: 0.3 });
    const stage = result.groups.find((g) => g.producers.includes('stem'))!;
    expect(stage).toMatchObject({ size: 8, kept: 1, guarded: true });
    expect(result.warnings.join('\n')).toMatch(/^filterPruneGroups: the global threshold would remove all 8/);

    const literal = track(residualNet());
    const cut = filterPruneGroups(literal, { density: 0.3, allowEmptyLayers: true });
    expect(cut.groups.find((g) => g.producers.includes('stem'))).toMatchObject({ kept: 0, guarded: false });
    expect(liveChannels(literal, 'stem')).toEqual([]);
    expect(() => filterPruneGroups(literal, { density: 0.3, warnBelow: -1 })).toThrow(InvalidArgumentError);
  });

  it('per-group scope and align: a group keeps max(1, align) channels where density * size rounds to none', () => {
    const model = track(residualNet());
    const result = filterPruneGroups(model, { density: 0.05, scope: 'group', align: 2 });
    for (const g of result.groups) expect(g).toMatchObject({ kept: 2, guarded: true });
    expect(liveChannels(model, 'mix')).toHaveLength(2);
    expect(result.warnings).toHaveLength(3);
    expect(result.warnings.join('\n')).toMatch(
      /density 0\.05 would remove all 16 channels of 'mix'.*keeps its 2 best/,
    );
  });

  it('reports the producers of pinned groups as skipped, beside the guarded ones', () => {
    const conv = (name: string, filters: number, seed: number) =>
      tf.layers.conv2d({
        name,
        filters,
        kernelSize: 3,
        kernelInitializer: tf.initializers.heNormal({ seed }),
      });
    const model = track(
      tf.sequential({
        layers: [
          tf.layers.conv2d({
            name: 'tiny',
            inputShape: [8, 8, 3],
            filters: 4,
            kernelSize: 3,
            kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
          }),
          conv('mid', 8, 2),
          conv('out', 3, 3),
        ],
      }),
    );
    scaleFilters(model, 'tiny', () => 0.001);
    const scheme = new GroupPrune({ density: 0.5 });
    const report = compressWithReport(scheme, model);
    expect(report.skipped).toEqual([
      expect.objectContaining({ layer: 'out', className: 'Conv2D', cause: 'output' }),
    ]);
    expect(report.skipped[0].reason).toMatch(/model output/);
    expect(scheme.skippedLayers(model)).toEqual(report.skipped);
    expect(liveChannels(model, 'tiny')).toHaveLength(1);
    expect(report.compressed.map((c) => c.layer)).toEqual(['tiny', 'mid']);
  });

  it('validates the guard options, keeps specs stable, and round-trips them', () => {
    expect(() => new GroupPrune({ density: 0.3, allowEmptyLayers: 'yes' as never })).toThrow(
      /GroupPrune: allowEmptyLayers must be true or false/,
    );
    expect(() => new GroupPrune({ density: 0.3, warnBelow: 2 })).toThrow(InvalidArgumentError);
    expect(new GroupPrune({ density: 0.3 }).toJSON()).toEqual({ scheme: 'GroupPrune', density: 0.3 });
    const spec = new GroupPrune({ density: 0.3, allowEmptyLayers: true, warnBelow: 0.2 }).toJSON();
    expect(spec).toEqual({ scheme: 'GroupPrune', density: 0.3, allowEmptyLayers: true, warnBelow: 0.2 });

    const literal = track(residualNet());
    schemeFromSpec(spec).pi(literal);
    expect(liveChannels(literal, 'stem')).toEqual([]);
    const guarded = track(residualNet());
    schemeFromSpec({ scheme: 'GroupPrune', density: 0.3 }).pi(guarded);
    expect(liveChannels(guarded, 'stem')).toHaveLength(1);
  });
});

/** The outputs of a [32, 32, 3] model on a fixed random batch. */
function outputs32(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => {
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 7);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}
