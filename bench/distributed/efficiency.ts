import { gridSearch } from '../../src/search/index.js';
import { globalTask } from '../search/synthetic.js';
import { searchInProcess } from './synthetic-search.js';

/**
 * Sample efficiency of batch BO on the synthetic global task (`bench/search`'s, channels in
 * steps of 4, eps 0.02 absolute, seeds 1..20): for each q, the fraction of seeds whose best
 * feasible sample is within 2% of the 1001-point grid oracle at each budget, and the smallest
 * budget at which all 20 are. `npx tsx bench/distributed/efficiency.ts`
 */
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const BUDGETS = [4, 6, 8, 10, 12, 16, 20, 24];
const QS = [1, 2, 4, 8];
const EPS = { eps: 0.02, mode: 'absolute' as const };

const oracle = new Map<number, number>();
for (const seed of SEEDS) {
  const t = globalTask(seed);
  const r = await gridSearch({
    sample: t.sample,
    baseAccuracy: t.baseAccuracy,
    eps: EPS,
    budget: 1001,
    seed,
  });
  oracle.set(seed, r.best!.objective);
}

console.log(
  `| q | ${BUDGETS.map((b) => `budget ${b}`).join(' | ')} | samples for 20/20 | rounds for 20/20 |`,
);
console.log(`|---|${BUDGETS.map(() => '---|').join('')}---|---|`);
for (const q of QS) {
  const cells: string[] = [];
  let first: number | null = null;
  for (const budget of BUDGETS) {
    let ok = 0;
    for (const seed of SEEDS) {
      const r = await searchInProcess({ seed, budget, batchSize: q });
      const o = oracle.get(seed)!;
      if (r.best && (o - r.best.objective) / o <= 0.02) ok++;
    }
    cells.push(`${ok}/20`);
    if (ok === SEEDS.length && first === null) first = budget;
  }
  const rounds = first === null ? '-' : String(Math.ceil(first / q));
  console.log(`| ${q} | ${cells.join(' | ')} | ${first ?? `> ${BUDGETS.at(-1)}`} | ${rounds} |`);
}
