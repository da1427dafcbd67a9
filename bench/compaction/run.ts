/**
 * Compaction benchmark: FLOPs, parameters and measured wasm inference throughput before and after
 * removing 30/50/70% of the convolution filters of seedNet (width 0.25 and 1) and ResNet-20, at
 * 1 and 2 wasm threads, batch 64 and batch 1. Writes bench/compaction/results.json and prints
 * the markdown table used in BENCHMARKS.md.
 *
 *   npx tsx bench/compaction/run.ts [--quick] [--model resnet20]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const passThrough = process.argv.slice(2);
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
  tp64Before: number;
  tp64After: number;
  tp1Before: number;
  tp1After: number;
}

const rows: Row[] = [];
for (const threads of [1, 2]) {
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
  '| model (weights) | thr | filters removed | MFLOPs before -> after (x) | params before -> after | img/s b64 before -> after (speedup) | ratio b64 | img/s b1 before -> after (speedup) | ratio b1 |',
  '|---|---|---|---|---|---|---|---|---|',
];
for (const r of rows) {
  const reduction = r.flopsBefore / r.flopsAfter;
  const s64 = r.tp64After / r.tp64Before;
  const s1 = r.tp1After / r.tp1Before;
  lines.push(
    `| ${r.model} (${r.weights}) | ${r.threads} | ${f(r.removed * 100, 0)}% | ${f(r.flopsBefore / 1e6)} -> ${f(r.flopsAfter / 1e6)} (${f(reduction, 2)}x) | ` +
      `${r.paramsBefore} -> ${r.paramsAfter} | ${f(r.tp64Before)} -> ${f(r.tp64After)} (${f(s64, 2)}x) | ${f(s64 / reduction, 2)} | ` +
      `${f(r.tp1Before)} -> ${f(r.tp1After)} (${f(s1, 2)}x) | ${f(s1 / reduction, 2)} |`,
  );
}
const worst = Math.max(...rows.map((r) => r.maxRelErr));
lines.push('', `Max relative error, masked vs compacted outputs, over all rows: ${worst.toExponential(2)}.`);
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
