/**
 * Prints bench/recovery/cifar.ts results (JSON lines) as a markdown table.
 *
 *   npx tsx bench/recovery/table.ts [bench/recovery/results.jsonl]
 */
import { readFileSync } from 'node:fs';

interface Row {
  scheme: string;
  optimizer: string;
  options: Record<string, unknown>;
  budgetMinibatches: number;
  denseTestAccuracy: number;
  testAccuracy: number;
  dropPoints: number;
  valAccuracy: number;
  globalSparsity: number;
  gzipRatio: number;
  /** Sparse saved layout (rows from 2026-11-25 09:58 UTC on); older rows lack it. */
  gzipRatioSparse?: number;
  wallSeconds: number;
  peakRssMB: number;
  loadAverageAtEnd: number[];
  date: string;
  note: string;
  distill?: { alpha: number; temperature: number } | null;
  lrHold?: boolean;
  cosine?: boolean;
}

const file = process.argv[2] ?? 'bench/recovery/results.jsonl';
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Row);
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
console.log(
  '| scheme | method | settings | minibatches of 128 | test acc (dense) | drop (points) | sparsity | gzip ratio | wall | peak RSS | finished (UTC), load |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const o = r.options;
  const base =
    r.optimizer === 'LC'
      ? `${String(o.steps)} steps, mu ${String(o.muInit)} x ${String(o.muMultiplier)}, lr ${String(o.lr)} -> ${String(o.lrEnd)}, fine-tune ${String(o.fineTuneIterations)}`
      : r.optimizer === 'DirectCompression'
        ? 'BN re-estimated'
        : `lr ${String(o.lr)} -> ${String(o.lrEnd)}`;
  const settings =
    base +
    (r.lrHold ? ' (held until final sparsity)' : '') +
    (r.cosine ? ' (cosine)' : '') +
    (Number(o.weightDecay) > 0 ? `, weight decay ${String(o.weightDecay)}` : '') +
    (r.distill ? `, distilled (alpha ${r.distill.alpha}, T ${r.distill.temperature})` : '');
  console.log(
    `| ${r.scheme} | ${r.optimizer} | ${settings} | ${r.budgetMinibatches} | ${pct(r.testAccuracy)} (${pct(r.denseTestAccuracy)}) | ` +
      `${r.dropPoints.toFixed(2)} | ${pct(r.globalSparsity)} | ${r.gzipRatio.toFixed(1)}x${r.gzipRatioSparse ? ` (sparse ${r.gzipRatioSparse.toFixed(1)}x)` : ''} | ${(r.wallSeconds / 60).toFixed(1)} min | ` +
      `${r.peakRssMB.toFixed(0)} MB | ${r.date.slice(11, 16)}, ${r.loadAverageAtEnd[0].toFixed(1)} |`,
  );
}
