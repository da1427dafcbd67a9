/**
 * Browser latency benchmark: compaction's speedup where users deploy, against its FLOPs cut.
 * Subjects: the pretrained seedNet width 0.25 and ResNet-20 (random init: weights do not change
 * timing), half of every convolution's filters removed per group (`filterPruneGroups`, L1; a
 * ResNet stage loses the same channels in every branch). Four models per subject, each saved as
 * a standard tfjs model and run by stock tfjs in headless Chromium (the page's wasm backend):
 * masked (dense architecture, as slow as the unpruned model), masked then folded for inference
 * (`foldForInference`), compacted (`compact`) and compacted then folded (`compact(m, { fold: true })`).
 * *Unfolded* speedup = masked / compacted, *folded* = masked+folded / compacted+folded, each
 * divided by its FLOPs cut. The four are timed in alternation (A, B, C, D, A, ...) at batch 1
 * and batch 64, so load from other jobs hits all alike; each figure is the median over all
 * rounds. Writes bench/browser/results.json (zoo-results.json when a zoo model is run) and prints the markdown table of BENCHMARKS.md.
 *
 * `--model` also takes the four zoo image models (test/zoo, random init): mobilenetv1, mobilenetv2,
 * resnet50 (ResNet-50-style bottlenecks) and densenet, pruned as bench/compaction/zoo.ts prunes
 * them (`filterPruneGroups` at density 0.5, its default global ranking).
 *
 *   npx tsx bench/browser/run.ts [--rounds 5] [--backend wasm] [--model seednet,resnet20]
 *   npx tsx bench/browser/run.ts --model mobilenetv1,mobilenetv2,resnet50,densenet
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initBackend } from '../../src/backend/index.js';
import { openTfjsPage, timeModelInPage, type BrowserBackend } from '../../src/browser-runtime/index.js';
import {
  compact,
  countFlops,
  filterPruneGroups,
  foldForInference,
  producedBy,
} from '../../src/graph/index.js';
import { serializeModel } from '../../src/io/index.js';
import { loadPretrained, resnet20 } from '../../src/models/index.js';
import { clearPruning } from '../../src/pruning/index.js';
import { percentile } from '../../src/objectives/index.js';
import { zoo } from '../../test/zoo/index.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    backend: { type: 'string', default: 'wasm' },
    model: { type: 'string', default: 'seednet,resnet20' },
  },
});
const rounds = Number(args.rounds);
const backend = args.backend as BrowserBackend;
const here = dirname(fileURLToPath(import.meta.url));
const uptimeBefore = execFileSync('uptime').toString().trim();
const started = new Date().toISOString();

await initBackend({ announce: false });
const builders: Record<string, () => Promise<tf.LayersModel>> = {
  seednet: () => loadPretrained('seednet-0.25-cifar10'),
  resnet20: async () => resnet20({ width: 1, seed: 0 }),
};
const labels: Record<string, string> = {
  seednet: 'seedNet w0.25 (pretrained)',
  resnet20: 'ResNet-20 (random init)',
};
const zooNames: Record<string, string> = {
  mobilenetv1: 'MobileNet v1',
  mobilenetv2: 'MobileNet v2',
  resnet50: 'ResNet-50-style bottlenecks',
  densenet: 'DenseNet blocks',
};
for (const [key, name] of Object.entries(zooNames)) {
  const entry = zoo.find((z) => z.name === name);
  if (!entry) throw new Error(`zoo has no ${name}`);
  builders[key] = async () => entry.build();
  labels[key] = `${name} (zoo, random init)`;
}
const variants = ['masked', 'maskedFolded', 'compacted', 'compactedFolded'] as const;
type Variant = (typeof variants)[number];

const files: Record<string, string | Uint8Array> = {};
const flops: Record<string, Record<Variant, number>> = {};
const subjects = args.model.split(',');
for (const subject of subjects) {
  const masked = await builders[subject]();
  if (subject in zooNames) filterPruneGroups(masked, { density: 0.5 });
  else
    filterPruneGroups(masked, {
      density: 0.5,
      scope: 'group',
      criteria: 'l1',
      include: producedBy('Conv2D'),
    });
  const models: Record<Variant, tf.LayersModel> = {
    masked,
    maskedFolded: foldForInference(masked).model,
    compacted: compact(masked),
    compactedFolded: compact(masked, { fold: true }),
  };
  flops[subject] = {} as Record<Variant, number>;
  for (const v of variants) {
    const s = await serializeModel(models[v]);
    files[`/${subject}/${v}/${s.files.json}`] = JSON.stringify(s.modelJson);
    files[`/${subject}/${v}/${s.files.bin}`] = s.weights;
    flops[subject][v] = countFlops(models[v]).total;
  }
  clearPruning(masked);
  for (const v of variants) models[v].dispose();
}

const session = await openTfjsPage({ files });
const times: Record<string, number[]> = {};
let chromium: string;
try {
  const ready = await session.setBackend(backend);
  if (!ready.ok) throw new Error(`backend ${backend} did not start: ${ready.reason}`);
  chromium = session.browser.version();
  for (let r = 0; r < rounds; r++) {
    for (const subject of subjects) {
      for (const [batch, warmup, repeats] of [
        [1, 2, 20],
        [64, 1, 3],
      ] as const) {
        for (const v of variants) {
          const url = `${session.server.url}/${subject}/${v}/model.json`;
          (times[`${subject} ${v} b${batch}`] ??= []).push(
            ...(await timeModelInPage(session.page, url, batch, warmup, repeats)),
          );
        }
      }
    }
    process.stderr.write(`round ${r + 1}/${rounds}\n`);
  }
} finally {
  await session.close();
}
const uptimeAfter = execFileSync('uptime').toString().trim();
const median = (k: string): number => percentile(times[k], 50);
const rows = subjects.map((subject) => {
  const ms = (batch: number) =>
    Object.fromEntries(variants.map((v) => [v, median(`${subject} ${v} b${batch}`)])) as Record<
      Variant,
      number
    >;
  return {
    subject,
    mflops: Object.fromEntries(variants.map((v) => [v, flops[subject][v] / 1e6])),
    ms1: ms(1),
    ms64: ms(64),
  };
});
writeFileSync(
  join(here, subjects.some((s) => s in zooNames) ? 'zoo-results.json' : 'results.json'),
  JSON.stringify({ started, backend, chromium, rounds, uptimeBefore, uptimeAfter, rows, times }, null, 2) +
    '\n',
);

const f = (n: number, d = 1): string => n.toFixed(d);
const out = [
  `Run ${started} on ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Chromium ${chromium}, tfjs ${tf.version.tfjs} (${backend} in the page), ${rounds} rounds.`,
  `Load before: \`${uptimeBefore}\`; after: \`${uptimeAfter}\`.`,
  '',
  '| model, 50% filters removed | MFLOPs masked -> compacted (cut) | batch | ms masked / compacted (speedup) | ms masked+folded / compacted+folded (speedup) | speedup / FLOPs cut unfolded, folded |',
  '|---|---|---|---|---|---|',
];
for (const r of rows) {
  const cut = r.mflops.masked / r.mflops.compacted;
  const cutFolded = r.mflops.maskedFolded / r.mflops.compactedFolded;
  for (const [batch, ms] of [
    [1, r.ms1],
    [64, r.ms64],
  ] as const) {
    const s = ms.masked / ms.compacted;
    const sf = ms.maskedFolded / ms.compactedFolded;
    const d = batch === 1 ? 2 : 1;
    out.push(
      `| ${labels[r.subject]} | ${f(r.mflops.masked)} -> ${f(r.mflops.compacted)} (${f(cut, 2)}x) | ${batch} | ` +
        `${f(ms.masked, d)} / ${f(ms.compacted, d)} (${f(s, 2)}x) | ${f(ms.maskedFolded, d)} / ${f(ms.compactedFolded, d)} (${f(sf, 2)}x) | ` +
        `${f(s / cut, 2)}, ${f(sf / cutFolded, 2)} |`,
    );
  }
}
console.log(out.join('\n'));
