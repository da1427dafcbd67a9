/**
 * The README's first command (`npm run demo`): compress the two shipped pretrained models and
 * show what changed.
 *
 *   1. LeNet-5 / MNIST: `Prune(0.1)` (90% of the weights removed) + a short fine-tune, saved in
 *      the sparse layout.
 *   2. seedNet 0.25 / CIFAR-10: `FilterPrune` + a short fine-tune, then `compact` (the pruned
 *      filters physically removed: fewer FLOPs, faster).
 *
 * Each prints the before/after table (`summary`) and is saved under the output directory with
 * summary.json, the fine-tune's training-log.jsonl and report.html (`writeReport`: the table,
 * density bars and the training curve as SVG, opens offline). About a minute on 2 CPU cores; `--full` runs the full-size recovery (whole training
 * and test sets, tens of minutes). DEMO_SMALL=1 shrinks it further (CI).
 *
 *   npm run demo                      # outputs in $TMPDIR/condensa-demo
 *   npm run demo -- --full --out ./condensa-demo
 */
import type * as tf from '@tensorflow/tfjs';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend } from '../src/backend/index.js';
import { Compressor } from '../src/compressor/index.js';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  MNIST_MEAN,
  MNIST_STD,
  loadCifar10,
  loadMnist,
  splitValidation,
  stratifiedSubset,
  toTensors,
  type Dataset,
} from '../src/data/index.js';
import { compact } from '../src/graph/index.js';
import { saveModel, type SerializeOptions } from '../src/io/index.js';
import { loadPretrained, type PretrainedName } from '../src/models/index.js';
import { FineTune } from '../src/optimizers/index.js';
import { formatSummary, RUN_FILES, summary, TrainingLog, writeReport } from '../src/report/index.js';
import { FilterPrune, Prune, type Scheme } from '../src/schemes/index.js';

const full = process.argv.includes('--full');
const small = process.env.DEMO_SMALL === '1';
const outArg = process.argv.indexOf('--out');
const outRoot = resolve(outArg > 0 ? process.argv[outArg + 1] : join(tmpdir(), 'condensa-demo'));
// Images per class for recovery and for the accuracies; undefined = the whole set.
const size = (demo: number, ci: number): number | undefined => (full ? undefined : small ? ci : demo);

interface Part {
  title: string;
  model: PretrainedName;
  load: () => Promise<Dataset>;
  norm: { mean: number[]; std: number[] };
  scheme: Scheme;
  iterations: number;
  lr: number;
  trainPerClass?: number;
  testPerClass?: number;
  deploy: (m: tf.LayersModel) => { model: tf.LayersModel; save: SerializeOptions; how: string };
}

async function runPart(p: Part): Promise<void> {
  console.log(`\n== ${p.title} ==`);
  const data = await p.load();
  const norm = { normalize: 'standard', ...p.norm, numClasses: data.classes.length } as const;
  const { train, val } = splitValidation(data.train, { count: 1000, seed: 0 });
  const pick = (d: typeof train, perClass?: number) =>
    perClass === undefined ? d : stratifiedSubset(d, { perClass, seed: 0 });
  const trainData = toTensors(pick(train, p.trainPerClass), norm);
  // 1000 held-out images: at least 60 per class in practice.
  const valData = toTensors(pick(val, p.testPerClass && Math.min(p.testPerClass, 60)), norm);
  const testData = toTensors(pick(data.test, p.testPerClass), norm);
  const dense = await loadPretrained(p.model);
  const trainingLog = new TrainingLog();
  const started = performance.now();
  const result = await new Compressor({
    model: dense,
    scheme: p.scheme,
    optimizer: new FineTune({ iterations: p.iterations, batchSize: 64, lr: p.lr }),
    trainData,
    valData,
    loss: 'categoricalCrossentropy',
    seed: 0,
    onEvent: trainingLog.onEvent,
  }).run();
  const seconds = (performance.now() - started) / 1000;
  const deployed = p.deploy(result.model);
  const s = await summary(dense, deployed.model, { data: testData, afterSave: deployed.save });
  console.log(`${p.scheme.kind} + fine-tune (${p.iterations} minibatches, ${seconds.toFixed(0)} s)`);
  console.log(formatSummary(s));
  const dir = join(outRoot, p.model);
  await saveModel(deployed.model, dir, { ...deployed.save, overwrite: true, record: { summary: s } });
  console.log(`saved (${deployed.how}) to ${dir}`);
  // What `condensa report` reads: the table, the recovery's curve; then the page itself.
  const run = { scheme: p.scheme.toJSON(), optimizer: 'FineTune', saved: deployed.how, summary: s };
  await writeFile(join(dir, RUN_FILES.summary), JSON.stringify(run, null, 2) + '\n');
  await trainingLog.write(dir);
  const report = await writeReport(dir, join(dir, RUN_FILES.report), { model: deployed.model });
  console.log(`report: ${report.file}`);
  if (deployed.model !== result.model) deployed.model.dispose();
  for (const m of [result.model, dense]) m.dispose();
  for (const t of [trainData, valData, testData]) [t.xs, t.ys].forEach((x) => x.dispose());
}

await initBackend();
mkdirSync(outRoot, { recursive: true });
await runPart({
  title: 'LeNet-5 on MNIST: 90% of the weights pruned',
  model: 'lenet5-mnist',
  load: () => loadMnist(),
  norm: { mean: MNIST_MEAN, std: MNIST_STD },
  scheme: new Prune({ density: 0.1 }),
  iterations: full ? 2000 : small ? 20 : 150,
  lr: 0.05,
  trainPerClass: size(500, 50),
  testPerClass: size(200, 30),
  deploy: (m) => ({ model: m, save: { format: 'sparse' }, how: 'sparse layout' }),
});
await runPart({
  title: 'seedNet 0.25 on CIFAR-10: a quarter of the filters removed',
  model: 'seednet-0.25-cifar10',
  load: () => loadCifar10(),
  norm: { mean: CIFAR10_MEAN, std: CIFAR10_STD },
  scheme: new FilterPrune({ density: 0.75 }),
  iterations: full ? 3200 : small ? 10 : 40,
  lr: 0.03,
  trainPerClass: size(300, 30),
  testPerClass: size(100, 20),
  deploy: (m) => ({ model: compact(m), save: {}, how: 'compacted, stock tfjs layout' }),
});
