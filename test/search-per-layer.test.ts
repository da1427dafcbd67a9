import { describe, expect, it } from 'vitest';
import {
  allocateSparsity,
  globalSearch,
  perLayerSearch,
  sensitivityProfile,
  type SampleFn,
} from '../src/search/index.js';
import { InvalidArgumentError } from '../src/errors.js';
import { piecewiseLinear } from './search-curves.js';

const EPS = { eps: 0.02, mode: 'absolute' as const };

describe('allocateSparsity', () => {
  const sens = { a: 0.01, b: 0.04, c: 0.2 };
  const sizes = { a: 1, b: 2, c: 5 };
  const weightedMean = (s: Record<string, number>) => (s.a * 1 + s.b * 2 + s.c * 5) / 8;

  it('alpha 0 is the uniform allocation', () => {
    const s = allocateSparsity(0.6, 0, sens, sizes);
    for (const v of Object.values(s)) expect(v).toBeCloseTo(0.6, 9);
  });

  it('hits the size-weighted overall sparsity and prunes insensitive layers harder', () => {
    for (const alpha of [0.5, 1, 2]) {
      const s = allocateSparsity(0.5, alpha, sens, sizes);
      expect(weightedMean(s)).toBeCloseTo(0.5, 9);
      // sensitivity per unit size: a 0.08, b 0.16, c 0.32 -> a pruned most.
      expect(s.a).toBeGreaterThan(s.b);
      expect(s.b).toBeGreaterThan(s.c);
    }
    // Hand check: equal sizes, sensitivities 1:4, alpha 1 -> sparsities 4:1 with mean 0.5.
    const two = allocateSparsity(0.5, 1, { a: 0.01, b: 0.04 }, { a: 1, b: 1 });
    expect(two.a).toBeCloseTo(0.8, 9);
    expect(two.b).toBeCloseTo(0.2, 9);
  });

  it('caps each layer and still meets the overall sparsity', () => {
    const s = allocateSparsity(0.9, 2, sens, sizes, 0.95);
    expect(Math.max(...Object.values(s))).toBeLessThanOrEqual(0.95);
    expect(weightedMean(s)).toBeCloseTo(0.9, 9);
    expect(() => allocateSparsity(0.97, 1, sens, sizes, 0.95)).toThrow(InvalidArgumentError);
    expect(() => allocateSparsity(0.5, 1, { a: 0 }, { a: 1 })).toThrow(/sensitivity > 0/);
  });

  it('takes a coupled cost: s is the cost removed, shares are what each layer removes alone', () => {
    // A chain a -> b -> c whose layers cost (input x output channels) 1, 2 and 1 units when
    // dense; a's input and c's output fixed: cost kept = (da + 2 da db + db dc) / 4.
    const kept = (sp: Record<string, number>) => ['a', 'b', 'c'].map((l) => 1 - (sp[l] ?? 0));
    const cost = (sp: Record<string, number>) => {
      const [a, b, c] = kept(sp);
      return 1 - (a + 2 * a * b + b * c) / 4;
    };
    const equal = { a: 0.05, b: 0.05, c: 0.05 };
    // alpha 0: one density d for every layer, (d + 3 d^2) / 4 = 1 - s; s = 0.5 gives d = 2/3.
    const uniform = allocateSparsity(0.5, 0, equal, cost);
    for (const v of Object.values(uniform)) expect(1 - v).toBeCloseTo(2 / 3, 9);
    // Equal sensitivities: pruned alone, a and b each remove 3/4 of the cost per unit of their
    // sparsity (a's filters are also b's input channels), c only 1/4 (its own term):
    // at alpha 1, a and b are pruned 3 times as hard as c.
    const skewed = allocateSparsity(0.3, 1, equal, cost);
    expect(cost(skewed)).toBeCloseTo(0.3, 9);
    expect(skewed.a / skewed.c).toBeCloseTo(3, 9);
    expect(skewed.b / skewed.c).toBeCloseTo(3, 9);
    // A layer whose pruning removes no cost (pinned channels) stays dense.
    const pinned = allocateSparsity(0.3, 1, { ...equal, z: 0.05 }, cost);
    expect(pinned.z).toBe(0);
    expect(cost(pinned)).toBeCloseTo(0.3, 9);
    // Beyond every layer at the cap: a clear error, not an endless bisection.
    expect(() => allocateSparsity(0.99, 1, equal, cost, 0.9)).toThrow(
      /overall sparsity must be in \[0, 0\.9/,
    );
  });
});

/** Three layers of different sensitivity; damage k * s^4 per layer; FLOPs shares 1:1:1. */
function task() {
  const layers = ['conv1', 'conv2', 'fc'];
  const k: Record<string, number> = { conv1: 3, conv2: 1, fc: 0.1 };
  const accuracy = (s: Record<string, number>) => {
    const d = layers.reduce((t, l) => t + k[l] * (s[l] ?? 0) ** 4, 0) / layers.length;
    return 0.9 - 0.6 * (2 / (1 + Math.exp(-d / 0.1)) - 1);
  };
  const remaining = (s: Record<string, number>) =>
    layers.reduce((t, l) => t + 1 - (s[l] ?? 0), 0) / layers.length;
  const sparsities = (d: Record<string, number>) => Object.fromEntries(layers.map((l) => [l, 1 - d[l]]));
  const sample: SampleFn<Record<string, number>> = async (d) => ({
    accuracy: accuracy(sparsities(d)),
    objective: remaining(sparsities(d)),
  });
  const uniform = (s: number) => Object.fromEntries(layers.map((l) => [l, s]));
  const globalSample: SampleFn<number> = async (d) => ({
    accuracy: accuracy(uniform(1 - d)),
    objective: 1 - (1 - d),
  });
  const profile = async (layer: string, density: number) => accuracy({ [layer]: 1 - density });
  return { layers, sample, globalSample, profile };
}

describe('per-layer sparsity search', () => {
  it('measures sensitivities by probing each layer alone', async () => {
    const t = task();
    const p = await sensitivityProfile({ ...t, baseAccuracy: 0.9, eps: EPS, profileDensities: [0.3] });
    expect(Object.keys(p.sensitivities)).toEqual(t.layers);
    expect(p.accuracy.conv1[0]).toBeCloseTo(await t.profile('conv1', 0.3), 12);
    expect(p.sensitivities.conv1).toBeGreaterThan(p.sensitivities.conv2);
    expect(p.sensitivities.conv2).toBeGreaterThan(p.sensitivities.fc);
  });

  it('beats the global search at the same budget and eps, staying feasible', async () => {
    const t = task();
    const common = { baseAccuracy: 0.9, eps: EPS, budget: 10, seed: 1, direction: 'minimize' as const };
    const perLayer = await perLayerSearch({
      ...common,
      layers: t.layers,
      sample: t.sample,
      profile: t.profile,
    });
    const global = await globalSearch({ ...common, sample: t.globalSample });
    // Stage 2 may stop early (no candidate above the best feasible s with a 5% chance).
    expect(perLayer.samples.length).toBeLessThanOrEqual(10);
    expect(perLayer.feasible).toBe(true);
    expect(perLayer.best!.accuracy).toBeGreaterThanOrEqual(0.88);
    expect(perLayer.best!.objective).toBeLessThan(global.best!.objective - 0.02);
    const d = perLayer.best!.density;
    expect(Object.keys(d)).toEqual(t.layers);
    // The insensitive layer keeps the fewest weights.
    expect(d.fc).toBeLessThan(d.conv2);
    expect(d.conv2).toBeLessThan(d.conv1);
    // Coordinates are [overall sparsity, alpha].
    expect(perLayer.best!.coordinates).toHaveLength(2);
  });

  it('is deterministic for a seed and validates its options', async () => {
    const t = task();
    const o = {
      layers: t.layers,
      sample: t.sample,
      profile: t.profile,
      baseAccuracy: 0.9,
      eps: EPS,
      budget: 5,
      seed: 7,
    };
    const a = await perLayerSearch(o);
    const b = await perLayerSearch(o);
    expect(b.samples.map((s) => s.density)).toEqual(a.samples.map((s) => s.density));
    await expect(perLayerSearch({ ...o, layers: [] })).rejects.toThrow(/non-empty list of layer names/);
    await expect(perLayerSearch({ ...o, profile: undefined })).rejects.toThrow(
      /sensitivities` or a `profile/,
    );
    await expect(perLayerSearch({ ...o, sizes: { conv1: 1, conv2: 1 } })).rejects.toThrow(
      /layer 'fc' needs a size > 0/,
    );
    await expect(perLayerSearch({ ...o, cost: () => Number.NaN })).rejects.toThrow(/in \(0, 1\]/);
  });
});

describe('per-layer stage 2 guards', () => {
  // The per-layer CIFAR-10 listing's measured curve (overall FLOPs-weighted sparsity -> proxy
  // validation accuracy; dense 0.895, threshold 0.875; layer sizes are its FLOPs), interpolated. Without the guards the
  // search spent samples on 65.5% and 95% sparsity and on the dense model itself.
  const points: Array<[number, number]> = [
    [0, 0.895],
    [0.133, 0.892],
    [0.261, 0.879],
    [0.28, 0.8705],
    [0.337, 0.8615],
    [0.475, 0.85],
    [0.655, 0.7675],
    [0.95, 0.08],
  ];
  const curve = piecewiseLinear(points);
  const layers = ['conv1', 'conv2', 'conv3'];
  const sizes: Record<string, number> = { conv1: 3225600, conv2: 24963328, conv3: 9445376 };
  const total = layers.reduce((t, l) => t + sizes[l], 0);
  const overall = (d: Record<string, number>) =>
    layers.reduce((t, l) => t + sizes[l] * (1 - d[l]), 0) / total;
  const sample: SampleFn<Record<string, number>> = async (d) => ({
    accuracy: curve(overall(d)),
    objective: 1500 / (1 - overall(d)) ** 1.5,
  });

  const search = (seed: number, monotoneObjective?: boolean) =>
    perLayerSearch({
      layers,
      sizes,
      sensitivities: { conv1: 0.0375, conv2: 0.0557, conv3: 0.055 },
      sample,
      baseAccuracy: 0.895,
      eps: EPS,
      budget: 8,
      seed,
      monotoneObjective,
    });

  it('never probes the dense model or above a clearly infeasible sample', async () => {
    for (const seed of [0, 1, 2]) {
      const r = await search(seed);
      const ceiling = Math.min(...r.samples.filter((p) => p.accuracy < 0.875 - 0.01).map((p) => p.sparsity));
      // Stage 1 starts at 47.5%; nothing after it above the lowest clearly infeasible sample.
      for (const p of r.samples.slice(1)) {
        expect(p.sparsity).toBeLessThanOrEqual(ceiling + 1e-9);
        expect(p.sparsity).toBeGreaterThan(0);
      }
      expect(r.best!.accuracy).toBeGreaterThanOrEqual(0.875);
      expect(r.best!.sparsity).toBeGreaterThan(0.2);
    }
  });

  it('with a monotone objective, never probes at or below the best feasible sparsity', async () => {
    const probedBelow = async (monotoneObjective: boolean) => {
      let below = 0;
      for (const seed of [0, 1, 2]) {
        const r = await search(seed, monotoneObjective);
        r.samples.forEach((p, i) => {
          const feasibleBefore = r.samples.slice(0, i).filter((q) => q.feasible);
          if (feasibleBefore.some((q) => q.sparsity >= p.sparsity)) below++;
        });
      }
      return below;
    };
    expect(await probedBelow(true)).toBe(0);
    // Without the rule the objective GP's prior along alpha draws probes below it.
    expect(await probedBelow(false)).toBeGreaterThan(0);
  });
});
