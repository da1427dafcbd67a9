/**
 * Compaction on the test zoo (small models following published architectures, test/zoo): for
 * each, group pruning at 50% (`filterPruneGroups`, global L2 ranking) then `compact`; FLOPs,
 * parameters and wasm `predict` time of the masked (dense) and compacted model at batch 1 and 32,
 * measured in alternation (median of `--repeats` pairs, default 9). Writes
 * bench/compaction/zoo-results.json and prints the markdown table used in BENCHMARKS.md.
 *
 *   npx tsx bench/compaction/zoo.ts [--repeats 9] [--threads 1]
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/backend/index.js';
import { compactWithPlan, countFlops, filterPruneGroups } from '../../src/graph/index.js';
import { clearPruning } from '../../src/pruning/index.js';
import { type ZooModel, zoo } from '../../test/zoo/index.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const repeats = Number(arg('repeats') ?? 9);
const threads = Number(arg('threads') ?? 1);
const uptimeBefore = execFileSync('uptime').toString().trim();
const started = new Date().toISOString();
await initBackend({ backend: 'wasm', threads, announce: false });

/** Median ms per predict (+ read-back) of two models timed in alternation, so load hits both alike. */
function pairedMedianMs(
  entry: ZooModel,
  a: tf.LayersModel,
  b: tf.LayersModel,
  batch: number,
): [number, number] {
  const x = entry.input(batch);
  const inner = batch === 1 ? 10 : 2;
  const once = (m: tf.LayersModel): number => {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) {
      const y = m.predict(x) as tf.Tensor;
      y.dataSync();
      y.dispose();
    }
    return (performance.now() - t0) / inner;
  };
  once(a); // warm-up: kernel setup, memory growth
  once(b);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let r = 0; r < repeats; r++) {
    ta.push(once(a));
    tb.push(once(b));
  }
  x.dispose();
  const median = (t: number[]) => t.sort((p, q) => p - q)[Math.floor(t.length / 2)];
  return [median(ta), median(tb)];
}

const rows = [];
for (const entry of zoo) {
  const model = entry.build();
  filterPruneGroups(model, { density: 0.5 });
  const { model: small, plan } = compactWithPlan(model);
  const before = countFlops(model);
  const after = countFlops(small);
  const [b1Dense, b1Small] = pairedMedianMs(entry, model, small, 1);
  const [b32Dense, b32Small] = pairedMedianMs(entry, model, small, 32);
  const row = {
    model: entry.name,
    flopsBefore: before.total,
    flopsAfter: after.total,
    paramsBefore: model.countParams(),
    paramsAfter: small.countParams(),
    pinnedGroups: plan.pinned.length,
    b1Dense,
    b1Small,
    b32Dense,
    b32Small,
  };
  rows.push(row);
  console.error(JSON.stringify(row));
  clearPruning(model);
  model.dispose();
  small.dispose();
}

const uptimeAfter = execFileSync('uptime').toString().trim();
const out = { started, threads, repeats, cpu: cpus()[0]?.model, uptimeBefore, uptimeAfter, rows };
writeFileSync(
  join(dirname(fileURLToPath(import.meta.url)), 'zoo-results.json'),
  JSON.stringify(out, null, 2) + '\n',
);

const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
console.log(`${started}, ${threads} wasm thread(s), median of ${repeats} pairs; ${cpus()[0]?.model}`);
console.log(`uptime before: ${uptimeBefore}\nuptime after: ${uptimeAfter}\n`);
console.log(
  '| model | MFLOPs dense -> compact (cut) | params dense -> compact | ms b1 dense -> compact (speedup) | ms b32 dense -> compact (speedup) | speedup / FLOPs cut b1, b32 |',
);
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const cut = r.flopsBefore / r.flopsAfter;
  const s1 = r.b1Dense / r.b1Small;
  const s32 = r.b32Dense / r.b32Small;
  console.log(
    `| ${r.model} | ${(r.flopsBefore / 1e6).toFixed(2)} -> ${(r.flopsAfter / 1e6).toFixed(2)} (${x(r.flopsBefore, r.flopsAfter)}) | ` +
      `${r.paramsBefore} -> ${r.paramsAfter} | ${r.b1Dense.toFixed(2)} -> ${r.b1Small.toFixed(2)} (${s1.toFixed(2)}x) | ` +
      `${r.b32Dense.toFixed(1)} -> ${r.b32Small.toFixed(1)} (${s32.toFixed(2)}x) | ${(s1 / cut).toFixed(2)}, ${(s32 / cut).toFixed(2)} |`,
  );
}
