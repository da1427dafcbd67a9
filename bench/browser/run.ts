/**
 * Browser latency benchmark: the pretrained seedNet width 0.25 with half of every convolution's
 * filters masked (dense architecture, so as slow as the unpruned model) against the same model
 * compacted, both in headless Chromium with stock tfjs on the page's wasm backend, batch 1 and
 * batch 64. The two models are timed in alternation (A, B, A, B...) so load from other jobs hits
 * both alike; each figure is the median over all rounds. Writes bench/browser/results.json and
 * prints the markdown table of BENCHMARKS.md.
 *
 *   npx tsx bench/browser/run.ts [--rounds 5] [--backend wasm]
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
import { compact, countFlops, filterPruneGroups, producedBy } from '../../src/graph/index.js';
import { serializeModel } from '../../src/io/index.js';
import { loadPretrained } from '../../src/models/index.js';
import { clearPruning } from '../../src/pruning/index.js';
import { percentile } from '../../src/objectives/index.js';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, backend: { type: 'string', default: 'wasm' } },
});
const rounds = Number(args.rounds);
const backend = args.backend as BrowserBackend;
const here = dirname(fileURLToPath(import.meta.url));
const uptimeBefore = execFileSync('uptime').toString().trim();
const started = new Date().toISOString();

await initBackend({ announce: false });
const masked = await loadPretrained('seednet-0.25-cifar10');
filterPruneGroups(masked, { density: 0.5, scope: 'group', criteria: 'l1', include: producedBy('Conv2D') });
const small = compact(masked);
const models = { dense: masked, compacted: small };
const files: Record<string, string | Uint8Array> = {};
for (const [name, m] of Object.entries(models)) {
  const s = await serializeModel(m);
  files[`/${name}/${s.files.json}`] = JSON.stringify(s.modelJson);
  files[`/${name}/${s.files.bin}`] = s.weights;
}
const flops = { dense: countFlops(masked).total, compacted: countFlops(small).total };

const session = await openTfjsPage({ files });
const times: Record<string, number[]> = {};
let chromium: string;
try {
  const started = await session.setBackend(backend);
  if (!started.ok) throw new Error(`backend ${backend} did not start: ${started.reason}`);
  chromium = session.browser.version();
  for (let r = 0; r < rounds; r++) {
    for (const [batch, repeats] of [
      [1, 20],
      [64, 3],
    ] as const) {
      for (const name of Object.keys(models)) {
        const url = `${session.server.url}/${name}/model.json`;
        (times[`${name} b${batch}`] ??= []).push(
          ...(await timeModelInPage(session.page, url, batch, 2, repeats)),
        );
      }
    }
    process.stderr.write(`round ${r + 1}/${rounds}\n`);
  }
} finally {
  await session.close();
}
const uptimeAfter = execFileSync('uptime').toString().trim();
const median = (k: string): number => percentile(times[k], 50);
const row = {
  started,
  backend,
  chromium,
  rounds,
  mflops: { dense: flops.dense / 1e6, compacted: flops.compacted / 1e6 },
  msBatch1: { dense: median('dense b1'), compacted: median('compacted b1') },
  msBatch64: { dense: median('dense b64'), compacted: median('compacted b64') },
  uptimeBefore,
  uptimeAfter,
};
writeFileSync(join(here, 'results.json'), JSON.stringify(row, null, 2) + '\n');
clearPruning(masked);
masked.dispose();
small.dispose();

const f = (n: number, d = 1): string => n.toFixed(d);
console.log(
  [
    `Run ${started} on ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Chromium ${chromium}, tfjs ${tf.version.tfjs} (${backend} in the page).`,
    `Load before: \`${uptimeBefore}\`; after: \`${uptimeAfter}\`.`,
    '',
    '| model | MFLOPs | ms batch 1 (median) | ms batch 64 (median) | img/s batch 64 |',
    '|---|---|---|---|---|',
    ...(['dense', 'compacted'] as const).map(
      (k) =>
        `| seedNet w0.25, 50% filters ${k === 'dense' ? 'masked' : 'removed (compacted)'} | ${f(row.mflops[k])} | ${f(row.msBatch1[k], 2)} | ${f(row.msBatch64[k])} | ${f(64000 / row.msBatch64[k], 0)} |`,
    ),
    '',
    `Speed-up of the compacted model: ${f(row.msBatch1.dense / row.msBatch1.compacted, 2)}x at batch 1, ` +
      `${f(row.msBatch64.dense / row.msBatch64.compacted, 2)}x at batch 64 (FLOPs ${f(flops.dense / flops.compacted, 2)}x fewer).`,
  ].join('\n'),
);
