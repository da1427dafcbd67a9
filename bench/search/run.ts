import { bisectionSearch, globalSearch, gridSearch, randomSearch } from '../../src/search/index.js';
import type { GlobalSearchOptions, SearchResult } from '../../src/search/index.js';
import { perLayerBenchmark } from './per-layer.js';
import { globalTask } from './synthetic.js';

/**
 * Synthetic benchmark of the sparsity searches: `npx tsx bench/search/run.ts`.
 * Global task: logistic accuracy collapse (seeded position and width, deterministic noise),
 * step-like throughput from channel rounding, eps 0.02 absolute, 20 seeds; each search's best
 * feasible objective is compared with a 1001-point grid oracle. Then per-layer vs global on a
 * six-layer task at the same budget and eps. Prints markdown tables.
 */
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const EPS = { eps: 0.02, mode: 'absolute' as const };

type Search = (o: GlobalSearchOptions) => Promise<SearchResult<number>>;
const searches: Record<string, Search> = {
  bo: globalSearch,
  bisection: bisectionSearch,
  random: randomSearch,
};

async function globalTable(channelStep: number, budgets: number[]) {
  const oracle: number[] = [];
  for (const seed of SEEDS) {
    const t = globalTask(seed, channelStep);
    const r = await gridSearch({
      sample: t.sample,
      baseAccuracy: t.baseAccuracy,
      eps: EPS,
      budget: 1001,
      seed,
    });
    oracle.push(r.best!.objective);
  }
  console.log(
    `\nGlobal search, channels rounded to multiples of ${channelStep} (20 seeds, eps 0.02 absolute)\n`,
  );
  console.log(
    '| search | budget | within 2% of oracle | mean gap | worst gap | mean samples used | infeasible |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const budget of budgets) {
    for (const [name, search] of Object.entries(searches)) {
      const gaps: number[] = [];
      let infeasible = 0;
      let used = 0;
      for (const [i, seed] of SEEDS.entries()) {
        const t = globalTask(seed, channelStep);
        const r = await search({ sample: t.sample, baseAccuracy: t.baseAccuracy, eps: EPS, budget, seed });
        used += r.samples.length;
        if (!r.best) infeasible++;
        gaps.push(r.best ? Math.max(0, (oracle[i] - r.best.objective) / oracle[i]) : 1);
      }
      const ok = gaps.filter((g) => g <= 0.02).length;
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      console.log(
        `| ${name} | ${budget} | ${ok}/${SEEDS.length} | ${(100 * mean).toFixed(2)}% | ` +
          `${(100 * Math.max(...gaps)).toFixed(2)}% | ${(used / SEEDS.length).toFixed(1)} | ${infeasible} |`,
      );
    }
  }
}

async function perLayerTable(budget: number) {
  const rows = await perLayerBenchmark(SEEDS, budget);
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
  console.log(
    `\nPer-layer vs global, six-layer task, remaining FLOPs (lower is better), budget ${budget}, eps 0.02 absolute, 20 seeds\n`,
  );
  console.log('| method | mean remaining FLOPs | seeds better than global | infeasible |');
  console.log('|---|---|---|---|');
  console.log(`| uniform grid oracle (1001 samples) | ${mean((r) => r.oracle).toFixed(4)} | - | 0 |`);
  console.log(
    `| per-layer family oracle (201 x 41 grid) | ${mean((r) => r.familyOracle).toFixed(4)} | - | 0 |`,
  );
  console.log(
    `| global BO | ${mean((r) => r.global).toFixed(4)} | - | ${rows.filter((r) => !Number.isFinite(r.global)).length} |`,
  );
  console.log(
    `| per-layer BO (+${rows[0].profiles} cheap probes) | ${mean((r) => r.perLayer).toFixed(4)} | ` +
      `${rows.filter((r) => r.perLayer < r.global).length}/${rows.length} | ${rows.filter((r) => !Number.isFinite(r.perLayer)).length} |`,
  );
}

await globalTable(4, [4, 6, 8, 10]);
await globalTable(1, [4, 6, 8, 10]);
await perLayerTable(10);
