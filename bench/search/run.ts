import { bisectionSearch, globalSearch, gridSearch, randomSearch } from '../../src/search/index.js';
import type { GlobalSearchOptions, SearchResult } from '../../src/search/index.js';
import { globalTask } from './synthetic.js';

/**
 * Synthetic benchmark of the sparsity searches (issue 6, section 5): `npx tsx bench/search/run.ts`.
 * Global task: monotone (noisy) accuracy, step-like throughput, eps 0.02 absolute, 20 seeds; each
 * search's best feasible objective is compared with a 1001-point grid oracle.
 */
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const EPS = { eps: 0.02, mode: 'absolute' as const };

type Search = (o: GlobalSearchOptions) => Promise<SearchResult<number>>;
const searches: Record<string, Search> = {
  bo: globalSearch,
  bisection: bisectionSearch,
  random: randomSearch,
};

async function main() {
  const budgets = [4, 6, 8, 10];
  const oracle: number[] = [];
  for (const seed of SEEDS) {
    const t = globalTask(seed);
    const r = await gridSearch({
      sample: t.sample,
      baseAccuracy: t.baseAccuracy,
      eps: EPS,
      budget: 1001,
      seed,
    });
    oracle.push(r.best!.objective);
  }
  console.log('| search | budget | success (gap <= 2%) | mean gap | worst gap | infeasible |');
  console.log('|---|---|---|---|---|---|');
  for (const budget of budgets) {
    for (const [name, search] of Object.entries(searches)) {
      const gaps: number[] = [];
      let infeasible = 0;
      for (const [i, seed] of SEEDS.entries()) {
        const t = globalTask(seed);
        const r = await search({ sample: t.sample, baseAccuracy: t.baseAccuracy, eps: EPS, budget, seed });
        if (!r.best) infeasible++;
        gaps.push(r.best ? Math.max(0, (oracle[i] - r.best.objective) / oracle[i]) : 1);
      }
      const ok = gaps.filter((g) => g <= 0.02).length;
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      console.log(
        `| ${name} | ${budget} | ${ok}/${SEEDS.length} | ${(100 * mean).toFixed(2)}% | ${(100 * Math.max(...gaps)).toFixed(2)}% | ${infeasible} |`,
      );
    }
  }
}

await main();
