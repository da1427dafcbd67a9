import { globalSearch, gridSearch, perLayerSearch } from '../../src/search/index.js';
import { perLayerTask } from './synthetic.js';

/** Per-layer vs global search on the synthetic multi-layer task (remaining FLOPs, minimised). */
const EPS = { eps: 0.02, mode: 'absolute' as const };
export async function perLayerBenchmark(seeds: number[], budget: number) {
  const rows: { seed: number; oracle: number; global: number; perLayer: number; profiles: number }[] = [];
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
    rows.push({
      seed,
      oracle: oracle.best?.objective ?? NaN,
      global: g.best?.objective ?? NaN,
      perLayer: p.best?.objective ?? NaN,
      profiles,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await perLayerBenchmark(
    Array.from({ length: 20 }, (_, i) => i + 1),
    10,
  );
  for (const r of rows) console.log(r);
  const mean = (k: 'oracle' | 'global' | 'perLayer') => rows.reduce((a, r) => a + r[k], 0) / rows.length;
  console.log(
    'mean remaining FLOPs: uniform oracle',
    mean('oracle').toFixed(4),
    'global',
    mean('global').toFixed(4),
    'per-layer',
    mean('perLayer').toFixed(4),
  );
}
