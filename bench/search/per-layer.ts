import {
  allocateSparsity,
  globalSearch,
  gridSearch,
  perLayerSearch,
  sensitivityProfile,
} from '../../src/search/index.js';
import { perLayerTask } from './synthetic.js';

/** Per-layer vs global search on the synthetic multi-layer task (remaining FLOPs, minimised). */
const EPS = { eps: 0.02, mode: 'absolute' as const };
export async function perLayerBenchmark(seeds: number[], budget: number) {
  const rows: {
    seed: number;
    oracle: number;
    familyOracle: number;
    global: number;
    perLayer: number;
    profiles: number;
  }[] = [];
  for (const seed of seeds) {
    const t = perLayerTask(seed);
    const common = { baseAccuracy: t.baseAccuracy, eps: EPS, budget, seed, direction: 'minimize' as const };
    const oracle = await gridSearch({ ...common, sample: t.globalSample, budget: 1001 });
    const g = await globalSearch({ ...common, sample: t.globalSample });
    let profiles = 0;
    const p = await perLayerSearch({
      ...common,
      layers: t.layers,
      sizes: t.flops,
      sample: t.sample,
      profile: (l, d) => {
        profiles++;
        return t.profile(l, d);
      },
    });
    // Best feasible allocation of the (s, alpha) family on a dense grid, with the same profiles.
    const { sensitivities } = await sensitivityProfile({
      ...common,
      layers: t.layers,
      sample: t.sample,
      profile: t.profile,
    });
    const floored = Object.fromEntries(t.layers.map((l) => [l, Math.max(sensitivities[l], 0.02 / 100)]));
    let familyOracle = Infinity;
    for (let i = 0; i <= 200; i++) {
      for (let j = 0; j <= 40; j++) {
        const s = allocateSparsity((0.95 * i) / 200, (2 * j) / 40, floored, t.flops);
        if (t.accuracy(s) >= t.baseAccuracy - 0.02)
          familyOracle = Math.min(familyOracle, t.remainingFlops(s));
      }
    }
    rows.push({
      seed,
      familyOracle,
      oracle: oracle.best?.objective ?? NaN,
      global: g.best?.objective ?? NaN,
      perLayer: p.best?.objective ?? NaN,
      profiles,
    });
  }
  return rows;
}
