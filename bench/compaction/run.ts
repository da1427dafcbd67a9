/**
 * Compaction benchmark: FLOPs, parameters and measured wasm inference throughput before and after
 * removing 30/50/70% of the convolution filters of seedNet (width 0.25 and 1) and ResNet-20, at
 * 1 and 2 wasm threads, batch 64 and batch 1, for the compacted model and for it folded for
 * inference (`compact(model, { fold: true })`: batch norms in the convolutions, fused
 * activations). Writes bench/compaction/results.json and prints the markdown table used in
 * BENCHMARKS.md.
 *
 *   npx tsx bench/compaction/run.ts [--quick] [--model resnet20] [--removed 0.5] [--threads 1]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const threadsArg = process.argv.indexOf('--threads');
const threadCounts = threadsArg >= 0 ? [Number(process.argv[threadsArg + 1])] : [1, 2];
const passThrough = process.argv
  .slice(2)
  .filter((_, i, all) => all[i] !== '--threads' && all[i - 1] !== '--threads');
const uptimeBefore = execFileSync('uptime').toString().trim();
const started = new Date().toISOString();

interface Row {
  model: string;
  weights: string;
  threads: number;
  removed: number;
  flopsBefore: number;
  flopsAfter: number;
  paramsBefore: number;
  paramsAfter: number;
  compactMs: number;
  maxRelErr: number;
  maxRelErrFolded: number;
  flopsFolded: number;
  flopsBeforeFolded: number;
  layersAfter: number;
  layersFolded: number;
  tp64Before: number;
  tp64After: number;
  tp1Before: number;
  tp1After: number;
  tp64Folded: number;
  tp1Folded: number;
  tp64BeforeFolded: number;
  tp1BeforeFolded: number;
}

const rows: Row[] = [];
for (const threads of threadCounts) {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(here, 'measure.ts'), '--threads', String(threads), ...passThrough],
    { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, CONDENSA_THREADS: String(threads) } },
  );
  if (child.status !== 0) {
    process.stderr.write(child.stderr);
    throw new Error(`measure.ts --threads ${threads} failed`);
  }
  for (const line of child.stdout.split('\n')) if (line.startsWith('{')) rows.push(JSON.parse(line) as Row);
}
const uptimeAfter = execFileSync('uptime').toString().trim();

const f = (n: number, d = 1) => n.toFixed(d);
const lines = [
  `Run ${started} on ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), node ${process.version}.`,
  `Load before: \`${uptimeBefore}\`; after: \`${uptimeAfter}\`.`,
  '',
  'Unfolded: masked -> compacted. Folded: masked then folded -> compacted then folded (`compact(m, { fold: true })`).',
  '*ratio* = speedup / FLOPs cut (each model its own FLOPs count); the goal is >= 0.9 at b64, >= 0.8 at b1.',
  '',
  '| model | thr | removed | MFLOPs unfolded / folded (cut) | b64 img/s unfolded | b64 img/s folded | b64 ratio unf. / folded | b1 img/s unfolded | b1 img/s folded | b1 ratio unf. / folded |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
for (const r of rows) {
  const cut = r.flopsBefore / r.flopsAfter;
  const cutFolded = r.flopsBeforeFolded / r.flopsFolded;
  const ratio = (after: number, before: number, c: number) => f(after / before / c, 2);
  const pair = (before: number, after: number) => `${f(before)} -> ${f(after)} (${f(after / before, 2)}x)`;
  lines.push(
    `| ${r.model} (${r.weights}) | ${r.threads} | ${f(r.removed * 100, 0)}% | ` +
      `${f(r.flopsBefore / 1e6)} -> ${f(r.flopsAfter / 1e6)} / ${f(r.flopsBeforeFolded / 1e6)} -> ${f(r.flopsFolded / 1e6)} (${f(cut, 2)}x / ${f(cutFolded, 2)}x) | ` +
      `${pair(r.tp64Before, r.tp64After)} | ${pair(r.tp64BeforeFolded, r.tp64Folded)} | ` +
      `${ratio(r.tp64After, r.tp64Before, cut)} / ${ratio(r.tp64Folded, r.tp64BeforeFolded, cutFolded)} | ` +
      `${pair(r.tp1Before, r.tp1After)} | ${pair(r.tp1BeforeFolded, r.tp1Folded)} | ` +
      `${ratio(r.tp1After, r.tp1Before, cut)} / ${ratio(r.tp1Folded, r.tp1BeforeFolded, cutFolded)} |`,
  );
}
const worst = Math.max(...rows.map((r) => r.maxRelErr));
const worstFolded = Math.max(...rows.map((r) => r.maxRelErrFolded));
lines.push(
  '',
  `Max relative error vs the masked model over all rows: compacted ${worst.toExponential(2)}, ` +
    `compacted + folded ${worstFolded.toExponential(2)}.`,
);
const table = lines.join('\n');
writeFileSync(
  join(here, 'results.json'),
  JSON.stringify(
    { started, cores: cpus().length, uptimeBefore, uptimeAfter, args: passThrough, rows },
    null,
    2,
  ) + '\n',
);
console.log(table);
