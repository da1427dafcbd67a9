import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantizationOf } from '../src/operators/index.js';
import { clearPruning } from '../src/pruning/state.js';
import {
  BlockPrune,
  FilterPrune,
  NeuronPrune,
  Prune,
  Quantize,
  StructurePrune,
} from '../src/schemes/index.js';
import type { Scheme } from '../src/schemes/index.js';
import { expectNoLeaks } from './helpers/leaks.js';

const runs = { seed: 4242, numRuns: 25 };

/** A random small conv/dense net; `scales` multiply layers' kernels so fan-ins and magnitudes differ. */
const netArb = fc.record({
  seed: fc.integer({ min: 1, max: 1e6 }),
  convs: fc.array(fc.record({ filters: fc.integer({ min: 1, max: 6 }), k: fc.constantFrom(1, 3) }), {
    minLength: 1,
    maxLength: 3,
  }),
  dense: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 2 }),
  scales: fc.array(fc.constantFrom(0.01, 0.3, 1, 5), { minLength: 6, maxLength: 6 }),
});
type Net = typeof netArb extends fc.Arbitrary<infer T> ? T : never;

function build(net: Net): tf.LayersModel {
  const init = (i: number): ReturnType<typeof tf.initializers.glorotUniform> =>
    tf.initializers.glorotUniform({ seed: net.seed + i });
  const layers: tf.layers.Layer[] = [];
  net.convs.forEach((c, i) =>
    layers.push(
      tf.layers.conv2d({
        name: `conv${i}`,
        filters: c.filters,
        kernelSize: c.k,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(i),
        ...(i === 0 ? { inputShape: [5, 5, 2] } : {}),
      }),
    ),
  );
  layers.push(tf.layers.flatten());
  net.dense.forEach((u, i) =>
    layers.push(
      tf.layers.dense({ name: `fc${i}`, units: u, activation: 'relu', kernelInitializer: init(10 + i) }),
    ),
  );
  layers.push(tf.layers.dense({ name: 'out', units: 3, kernelInitializer: init(20) }));
  const model = tf.sequential({ layers });
  model.layers
    .filter((l) => l.weights.length > 0)
    .forEach((l, i) => {
      const [k, ...rest] = l.getWeights();
      const scaled = tf.mul(k, net.scales[i % net.scales.length]);
      l.setWeights([scaled, ...rest]);
      scaled.dispose();
    });
  return model;
}

const weightsOf = (m: tf.LayersModel): Float32Array[] =>
  m.getWeights().map((w) => w.dataSync() as Float32Array);

/** Run `body` on a fresh model built from `net`, then free it. */
function withModel(net: Net, body: (m: tf.LayersModel) => void): void {
  const m = build(net);
  try {
    body(m);
  } finally {
    clearPruning(m);
    m.dispose();
  }
}

type Kind = 'Prune' | 'FilterPrune' | 'NeuronPrune' | 'StructurePrune' | 'BlockPrune';
function scheme(kind: Kind, density: number): Scheme & { lastReport: NonNullable<Scheme['lastReport']> } {
  const s = {
    Prune: () => new Prune({ density }),
    FilterPrune: () => new FilterPrune({ density }),
    NeuronPrune: () => new NeuronPrune({ density }),
    StructurePrune: () => new StructurePrune({ density }),
    BlockPrune: () => new BlockPrune({ density, blockSize: [2, 1], pad: true }),
  }[kind]();
  return s as never;
}

const kindArb = fc.constantFrom<Kind>('Prune', 'FilterPrune', 'NeuronPrune', 'StructurePrune', 'BlockPrune');
const densityArb = fc.double({ min: 0.05, max: 1, noNaN: true });

describe('scheme properties on random nets', () => {
  it('density kept (no ties: exactly floor(d * n) above the threshold), no layer wiped, report = weights', async () => {
    await expectNoLeaks(() =>
      fc.assert(
        fc.property(netArb, kindArb, densityArb, (net, kind, d) => {
          withModel(net, (m) => {
            const s = scheme(kind, d);
            const total = (): number => s.lastReport.compressed.reduce((n, c) => n + c.total!, 0);
            try {
              s.pi(m);
            } catch (e) {
              // A density too small to keep one unit of the whole network is refused, untouched.
              expect(String(e)).toMatch(/makes the model zero/);
              return;
            }
            const k = Math.floor(d * total());
            const r = s.lastReport;
            const unguarded = r.compressed.filter((c) => !c.guarded);
            expect(unguarded.reduce((n, c) => n + c.kept!, 0)).toBe(k);
            for (const c of r.compressed) {
              const kernel = m.getLayer(c.layer).getWeights()[0].dataSync();
              const nonzero = kernel.filter((v) => v !== 0).length;
              if (kind !== 'Prune') expect(c.kept).toBeGreaterThanOrEqual(1);
              if (kind !== 'Prune') expect(nonzero).toBeGreaterThan(0);
              if (kind === 'Prune') expect(nonzero).toBe(c.kept);
              if (c.guarded) expect(c.kept).toBe(1);
            }
          });
        }),
        runs,
      ),
    );
  });

  it('pi is idempotent, and delta of a pruning scheme changes nothing', async () => {
    await expectNoLeaks(() =>
      fc.assert(
        fc.property(netArb, kindArb, fc.double({ min: 0.3, max: 1, noNaN: true }), (net, kind, d) => {
          withModel(net, (m) => {
            const s = scheme(kind, d);
            s.pi(m);
            const once = weightsOf(m);
            s.pi(m);
            expect(weightsOf(m)).toEqual(once);
            s.delta(m);
            expect(weightsOf(m)).toEqual(once);
          });
        }),
        runs,
      ),
    );
  });

  it('Quantize: delta keeps the quantized values bit for bit and drops the record; pi again moves nothing beyond float32 rounding', async () => {
    await expectNoLeaks(() =>
      fc.assert(
        fc.property(
          netArb,
          fc.constantFrom('float16', 'int8') as fc.Arbitrary<'float16' | 'int8'>,
          (net, dtype) => {
            withModel(net, (m) => {
              const q = new Quantize({ dtype });
              q.pi(m);
              const once = weightsOf(m);
              q.delta(m);
              expect(weightsOf(m)).toEqual(once);
              expect(m.layers.every((l) => quantizationOf(l, 'kernel') === null)).toBe(true);
              q.pi(m);
              const twice = weightsOf(m);
              // float16 rounding is exactly idempotent; int8 re-derives its grid from the rounded
              // values, which moves entries by at most a few float32 ulps (see the quantize properties).
              twice.forEach((w, i) =>
                w.forEach((v, j) =>
                  expect(Math.abs(v - once[i][j])).toBeLessThanOrEqual(4e-7 * (1 + Math.abs(v))),
                ),
              );
              if (dtype === 'float16') expect(twice).toEqual(once);
            });
          },
        ),
        { ...runs, numRuns: 15 },
      ),
    );
  });
});
