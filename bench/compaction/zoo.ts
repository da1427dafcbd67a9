/**
 * Compaction on the test zoo (small models following published architectures, test/zoo): for
 * each, group pruning at 50% (`filterPruneGroups`, global L2 ranking) then `compact`; FLOPs,
 * parameters and wasm `predict` time of the masked (dense) and compacted model at batch 1 and
 * `--batch` (default 32), measured in alternation (median of `--repeats` rounds, default 9).
 * `--fold` adds the inference export: the masked and the compacted model each folded
 * (`foldForInference`: batch norms into the convolutions, fused activations), the four models
 * timed in alternation, so the folded speedup (masked+folded -> compacted+folded) is compaction's
 * speedup in the deployed form; `--model` picks zoo entries by name (comma-separated). Writes
 * bench/compaction/zoo-results.json (zoo-folded-results.json with --fold) and prints the markdown
 * table used in BENCHMARKS.md.
 *
 *   npx tsx bench/compaction/zoo.ts [--repeats 9] [--threads 1] [--batch 32] [--fold]
 *     [--model 'MobileNet v1,MobileNet v2,ResNet-50-style bottlenecks,DenseNet blocks']
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/backend/index.js';
import { compactWithPlan, countFlops, filterPruneGroups, foldForInference } from '../../src/graph/index.js';
import { clearPruning } from '../../src/pruning/index.js';
import { type ZooModel, zoo } from '../../test/zoo/index.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const repeats = Number(arg('repeats') ?? 9);
const threads = Number(arg('threads') ?? 1);
const bigBatch = Number(arg('batch') ?? 32);
const fold = process.argv.includes('--fold');
const only = arg('model')?.split(',');
const uptimeBefore = execFileSync('uptime').toString().trim();
const started = new Date().toISOString();
await initBackend({ backend: 'wasm', threads, announce: false });

/** Median ms per predict (+ read-back) of models timed in alternation, so load hits all alike. */
function pairedMedianMs(entry: ZooModel, models: tf.LayersModel[], batch: number): number[] {
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
  for (const m of models) once(m); // warm-up: kernel setup, memory growth
  const times: number[][] = models.map(() => []);
  for (let r = 0; r < repeats; r++) models.forEach((m, i) => times[i].push(once(m)));
  x.dispose();
  const median = (t: number[]) => t.sort((p, q) => p - q)[Math.floor(t.length / 2)];
  return times.map(median);
}

const rows = [];
for (const entry of zoo) {
  if (only && !only.includes(entry.name)) continue;
  const model = entry.build();
  filterPruneGroups(model, { density: 0.5 });
  const { model: small, plan } = compactWithPlan(model);
  const before = countFlops(model);
  const after = countFlops(small);
  // The folded pair: the same masked and compacted models in their inference export.
  const folded = fold ? [foldForInference(model).model, foldForInference(small).model] : [];
  const models = [model, small, ...folded];
  const ms1 = pairedMedianMs(entry, models, 1);
  const msBig = pairedMedianMs(entry, models, bigBatch);
  const row = {
    model: entry.name,
    flopsBefore: before.total,
    flopsAfter: after.total,
    paramsBefore: model.countParams(),
    paramsAfter: small.countParams(),
    pinnedGroups: plan.pinned.length,
    b1Dense: ms1[0],
    b1Small: ms1[1],
    bigDense: msBig[0],
    bigSmall: msBig[1],
    ...(fold
      ? {
          flopsBeforeFolded: countFlops(folded[0]).total,
          flopsAfterFolded: countFlops(folded[1]).total,
          b1DenseFolded: ms1[2],
          b1SmallFolded: ms1[3],
          bigDenseFolded: msBig[2],
          bigSmallFolded: msBig[3],
        }
      : {}),
  };
  rows.push(row);
  console.error(JSON.stringify(row));
  clearPruning(model);
  for (const m of models) m.dispose();
}

const uptimeAfter = execFileSync('uptime').toString().trim();
const out = {
  started,
  threads,
  repeats,
  bigBatch,
  fold,
  cpu: cpus()[0]?.model,
  uptimeBefore,
  uptimeAfter,
  rows,
};
writeFileSync(
  join(dirname(fileURLToPath(import.meta.url)), fold ? 'zoo-folded-results.json' : 'zoo-results.json'),
  JSON.stringify(out, null, 2) + '\n',
);

const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const b = bigBatch;
console.log(`${started}, ${threads} wasm thread(s), median of ${repeats} rounds; ${cpus()[0]?.model}`);
console.log(`uptime before: ${uptimeBefore}\nuptime after: ${uptimeAfter}\n`);
if (!fold) {
  console.log(
    `| model | MFLOPs dense -> compact (cut) | params dense -> compact | ms b1 dense -> compact (speedup) | ms b${b} dense -> compact (speedup) | speedup / FLOPs cut b1, b${b} |`,
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const cut = r.flopsBefore / r.flopsAfter;
    const s1 = r.b1Dense / r.b1Small;
    const sBig = r.bigDense / r.bigSmall;
    console.log(
      `| ${r.model} | ${(r.flopsBefore / 1e6).toFixed(2)} -> ${(r.flopsAfter / 1e6).toFixed(2)} (${x(r.flopsBefore, r.flopsAfter)}) | ` +
        `${r.paramsBefore} -> ${r.paramsAfter} | ${r.b1Dense.toFixed(2)} -> ${r.b1Small.toFixed(2)} (${s1.toFixed(2)}x) | ` +
        `${r.bigDense.toFixed(1)} -> ${r.bigSmall.toFixed(1)} (${sBig.toFixed(2)}x) | ${(s1 / cut).toFixed(2)}, ${(sBig / cut).toFixed(2)} |`,
    );
  }
} else {
  console.log(
    `| model | MFLOPs cut unfolded / folded | ms b1 masked -> compacted (speedup) | ms b1 folded pair (speedup) | ms b${b} masked -> compacted (speedup) | ms b${b} folded pair (speedup) | speedup / FLOPs cut b1 unf. / folded | b${b} unf. / folded |`,
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const cut = r.flopsBefore / r.flopsAfter;
    const cutF = (r.flopsBeforeFolded ?? 0) / (r.flopsAfterFolded ?? 1);
    const pair = (a: number, c: number, d: number) => `${a.toFixed(d)} -> ${c.toFixed(d)} (${x(a, c)})`;
    const ratio = (a: number, c: number, k: number) => (a / c / k).toFixed(2);
    const [d1, s1, dB, sB] = [
      r.b1DenseFolded ?? 0,
      r.b1SmallFolded ?? 0,
      r.bigDenseFolded ?? 0,
      r.bigSmallFolded ?? 0,
    ];
    console.log(
      `| ${r.model} | ${cut.toFixed(2)}x / ${cutF.toFixed(2)}x | ${pair(r.b1Dense, r.b1Small, 2)} | ${pair(d1, s1, 2)} | ` +
        `${pair(r.bigDense, r.bigSmall, 1)} | ${pair(dB, sB, 1)} | ${ratio(r.b1Dense, r.b1Small, cut)} / ${ratio(d1, s1, cutF)} | ` +
        `${ratio(r.bigDense, r.bigSmall, cut)} / ${ratio(dB, sB, cutF)} |`,
    );
  }
}
