/**
 * The accuracy-recovery acceptance runs: one compression of the pretrained CIFAR-10 seedNet (width 0.25)
 * with one recovery method, appended as a JSON line to --out (default
 * bench/recovery/results.jsonl) and printed.
 *
 *   npx tsx bench/recovery/cifar.ts --scheme prune  --optimizer lc       --iters 1000
 *   npx tsx bench/recovery/cifar.ts --scheme prune  --optimizer finetune --iters 1000
 *   npx tsx bench/recovery/cifar.ts --scheme prune  --optimizer gradual  --iters 1000
 *   npx tsx bench/recovery/cifar.ts --scheme prune  --optimizer direct
 *   npx tsx bench/recovery/cifar.ts --scheme memory --optimizer lc       --iters 1000
 *   npx tsx bench/recovery/cifar.ts --scheme filter --optimizer lc       --iters 1000
 *
 * Schemes: prune = Prune(0.1); memory = Compose([Prune(0.02), Quantize float16]) (Condensa's
 * memory scheme); filter = FilterPrune({ density: --density }) (default 0.5, one global
 * threshold over conv1-3); group = GroupPrune (channel groups of the dependency graph, global
 * threshold); prune-lamp and memory-lamp: the same with the global threshold on LAMP scores
 * (`Prune({ score: 'lamp' })`) instead of |w|. filter and group rank by `--importance` (default
 * l2; any built-in), scored once on the dense model with --calibration stratified training images
 * (default 512, seed 0); `--flops-cut X` sets their density to the one whose compacted model has
 * (1 - X) of the dense FLOPs (`densityForFlops`) instead of --density.
 * `--pre-iters N --pre-l1 A --pre-l2 B`: N minibatches of the --iters budget go to training the
 * dense model with an L1 / L2 penalty on its kernels (constant --lr) before it is compressed;
 * FineTune gets the rest. The distillation teacher stays the original dense model.
 * `--iters` is the training budget in minibatches of --batch (default 128), the same for every
 * method: L-C splits it into its L steps (first step twice as long as the others) and a final
 * masked fine-tune (--lc-ft-share of it, default 0.3); gradual pruning reaches the final
 * sparsity at 60% of it. Data: training = the 50,000 training images with crop + flip, streamed;
 * validation (model selection) = 2,000 held-out test images; test = the other 8,000, used for
 * nothing but the report. Wall-clock and peak RSS (`process.resourceUsage().maxRSS`) are of the
 * whole process, data loading included. `--distill ALPHA` (with `--temperature`, default 4)
 * trains every method against the dense model's soft predictions (Compressor `distill`);
 * `--lr-hold` keeps gradual pruning's rate constant until the final sparsity, then decays it.
 * `--cosine` makes fine-tuning's rate a cosine from --lr to --lr-end instead of the geometric decay.
 * `--weight-decay` (default 0) is L2 decay on every trainable weight, for every method that trains
 * (the pretrained seedNet was trained with 5e-4).
 * `--checkpoint-dir DIR` saves the run's state after every outer step and resumes from it when
 * the same command is run again (e.g. a row longer than one sitting: put DIR under
 * ~/.cache/condensa-ts); `resumedFrom` records the step it resumed at, and `runSeconds` the
 * training time of all segments (`wallSeconds` and `peakRssMB` are of the last process only).
 * Size: `gzipRatio` = gzip of the dense weights / gzip of the compressed ones, both in the stock
 * tfjs layout; `gzipRatioSparse` = gzip of the dense model's saved weights file / gzip of the
 * compressed model's file in the sparse layout (`saveModel({ format: 'sparse' })`).
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadavg } from 'node:os';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { initBackend } from '../../src/backend/index.js';
import { Compressor } from '../../src/compressor/index.js';
import {
  batchDataset,
  CIFAR10_MEAN,
  CIFAR10_STD,
  loadCifar10,
  splitValidation,
  toTensors,
} from '../../src/data/index.js';
import { serializeModel } from '../../src/io/index.js';
import { loadPretrained } from '../../src/models/index.js';
import * as optimizers from '../../src/optimizers/index.js';
import { sparsityReport } from '../../src/report/index.js';
import { Compose, FilterPrune, GroupPrune, Prune, Quantize, type Scheme } from '../../src/schemes/index.js';
import { compact, countFlops } from '../../src/graph/index.js';
import { importanceScores } from '../../src/importance/index.js';
import { stratifiedSubset } from '../../src/data/index.js';
import { densityForFlops } from '../../src/search/index.js';

const { values: a } = parseArgs({
  options: {
    scheme: { type: 'string', default: 'prune' },
    optimizer: { type: 'string', default: 'lc' },
    iters: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.01' },
    'lr-end': { type: 'string', default: '1e-4' },
    'lc-steps': { type: 'string', default: '6' },
    'lc-ft-share': { type: 'string', default: '0.3' },
    'mu-init': { type: 'string', default: '0.1' },
    'mu-mult': { type: 'string', default: '1.5' },
    'bn-images': { type: 'string', default: '2048' },
    'weight-decay': { type: 'string', default: '0' },
    distill: { type: 'string', default: '0' },
    'lr-hold': { type: 'boolean', default: false },
    cosine: { type: 'boolean', default: false },
    temperature: { type: 'string', default: '4' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: 'bench/recovery/results.jsonl' },
    note: { type: 'string', default: '' },
    'checkpoint-dir': { type: 'string' },
    density: { type: 'string', default: '0.5' },
    importance: { type: 'string', default: 'l2' },
    'flops-cut': { type: 'string' },
    calibration: { type: 'string', default: '512' },
    'pre-iters': { type: 'string', default: '0' },
    'pre-l1': { type: 'string', default: '0' },
    'pre-l2': { type: 'string', default: '0' },
  },
});
const n = (k: keyof typeof a): number => Number(a[k]);
const started = performance.now();
const backend = await initBackend();
const iters = n('iters');
const batchSize = n('batch');
const bnImages = n('bn-images');
const distill = n('distill') > 0 ? { alpha: n('distill'), temperature: n('temperature') } : null;
const common = {
  lr: n('lr'),
  lrEnd: n('lr-end'),
  batchSize,
  bnImages,
  momentum: 0.9,
  weightDecay: n('weight-decay'),
};

const schemes: Record<string, () => Scheme> = {
  prune: () => new Prune(0.1),
  'prune-lamp': () => new Prune({ density: 0.1, score: 'lamp' }),
  memory: () => new Compose([new Prune(0.02), new Quantize({ dtype: 'float16' })]),
  'memory-lamp': () =>
    new Compose([new Prune({ density: 0.02, score: 'lamp' }), new Quantize({ dtype: 'float16' })]),
  filter: () => new FilterPrune({ density: structuredDensity, importance: rankBy() }),
  group: () => new GroupPrune({ density: structuredDensity, importance: rankBy() }),
};
// Structured schemes rank conv filters by --importance, scored once on the dense model over
// --calibration stratified training images (set below, before the scheme is built).
const convs = ['conv1', 'conv2', 'conv3'];
let filterScores: Record<string, Float32Array> | null = null;
const rankBy = () => (filterScores ? () => filterScores! : a.importance!);
let structuredDensity = n('density');
const optimizerFactories: Record<string, () => optimizers.RecoveryOptimizer> = {
  direct: () => new optimizers.DirectCompression({ bnImages }),
  finetune: () =>
    new optimizers.FineTune({
      ...common,
      iterations: iters - n('pre-iters'),
      evalEvery: Math.ceil((iters - n('pre-iters')) / 5),
      lrSchedule: a.cosine ? optimizers.cosineLr(common.lr, common.lrEnd, iters - n('pre-iters')) : undefined,
    }),
  gradual: () => {
    const endStep = Math.round(iters * 0.6);
    // --lr-hold: constant rate while pruning, geometric decay only after the final sparsity.
    const { constantLr, concatLr, intervalLr } = optimizers;
    const hold = concatLr(
      constantLr(common.lr),
      endStep,
      intervalLr(common.lr, common.lrEnd, iters - endStep),
    );
    return new optimizers.GradualPruning({
      ...common,
      iterations: iters,
      frequency: Math.ceil(iters / 20),
      endStep,
      lrSchedule: a['lr-hold'] ? hold : undefined,
    });
  },
  lc: () => {
    const steps = n('lc-steps');
    const ft = Math.round(iters * n('lc-ft-share'));
    // L steps 1..steps-1: the first gets two shares, the others one.
    const per = Math.floor((iters - ft) / steps);
    return new optimizers.LC({
      ...common,
      steps,
      firstLIterations: iters - ft - per * (steps - 2),
      perLIterations: per,
      fineTuneIterations: ft,
      muInit: n('mu-init'),
      muMultiplier: n('mu-mult'),
    });
  },
};
if (a.cosine && a.optimizer !== 'finetune') {
  // Otherwise the record would say cosine while the method kept its own schedule.
  console.error('--cosine applies to --optimizer finetune only');
  process.exit(2);
}
const makeScheme = schemes[a.scheme!];
const makeOptimizer = optimizerFactories[a.optimizer!];
if (!makeScheme || !makeOptimizer) {
  console.error(
    `--scheme one of ${Object.keys(schemes)}, --optimizer one of ${Object.keys(optimizerFactories)}`,
  );
  process.exit(2);
}

const cifar = await loadCifar10();
const norm = { normalize: 'standard' as const, mean: CIFAR10_MEAN, std: CIFAR10_STD, numClasses: 10 };
const { train: testSplit, val: valSplit } = splitValidation(cifar.test, { count: 2000, seed: 1 });
const trainData = batchDataset(cifar.train, {
  ...norm,
  batchSize,
  shuffle: true,
  seed: n('seed'),
  augment: 'cifar',
});
const valData = toTensors(valSplit, norm);
const testData = toTensors(testSplit, norm);
const dense = await loadPretrained('seednet-0.25-cifar10');
const loss = optimizers.resolveLoss('categoricalCrossentropy');
const before = await optimizers.evaluate(dense, testData, loss);

// FLOPs kept = FLOPs of the compacted model / the dense model's, both per example.
const flopsOf = (m: tf.LayersModel): number => {
  const small = compact(m);
  const total = countFlops(small).total;
  if (small !== m) small.dispose();
  return total;
};
const schemeFlopsKept = (scheme: Scheme): number => {
  const copy = optimizers.cloneModel(dense);
  scheme.pi(copy);
  const kept = flopsOf(copy) / flopsOf(dense);
  optimizers.disposeModel(copy);
  return kept;
};
if (a.scheme === 'filter' || a.scheme === 'group') {
  const calibration = toTensors(
    stratifiedSubset(cifar.train, { perClass: Math.max(1, Math.floor(n('calibration') / 10)), seed: 0 }),
    norm,
  );
  // GroupPrune also asks for the dense layers' scores (it ranks only the conv groups).
  const scored = [...convs, 'fc1', 'fc2'];
  filterScores = importanceScores(dense, a.importance!, { data: calibration, layers: scored, seed: 0 });
  tf.dispose([calibration.xs, calibration.ys]);
  // --flops-cut: the density whose compacted model has (1 - cut) of the dense FLOPs.
  if (a['flops-cut'] !== undefined) {
    const scheme = makeScheme() as FilterPrune | GroupPrune;
    structuredDensity = densityForFlops(dense, scheme, { cut: n('flops-cut') }).density;
  }
}
const flopsKept = schemeFlopsKept(makeScheme());
console.error(
  `scheme ${a.scheme}: density ${structuredDensity.toFixed(4)}, FLOPs kept ${(flopsKept * 100).toFixed(1)}%`,
);

// --pre-iters: a regularised dense training phase (L1 / L2 penalty on the kernels) before the
// compression, taken from the same --iters budget; the teacher stays the original dense model.
const preIters = n('pre-iters');
let start = dense;
if (preIters > 0) {
  const pre = await new Compressor({
    model: dense,
    scheme: new Prune(1),
    optimizer: new optimizers.FineTune({
      ...common,
      lrEnd: common.lr,
      iterations: preIters,
      evalEvery: preIters,
    }),
    trainData,
    valData,
    loss: 'categoricalCrossentropy',
    regularizer: { l1: n('pre-l1'), l2: n('pre-l2') },
    seed: n('seed') + 1,
  }).run();
  start = pre.model;
  console.error(
    `regularised pre-phase: ${preIters} minibatches, val ${(pre.val.accuracy * 100).toFixed(2)}%`,
  );
}
const optimizer = makeOptimizer();
let lastLog = performance.now();
const result = await new Compressor({
  model: start,
  scheme: makeScheme(),
  optimizer,
  trainData,
  valData,
  testData,
  loss: 'categoricalCrossentropy',
  testEvery: 'end',
  distill: distill ? { ...distill, teacher: dense } : undefined,
  seed: n('seed'),
  checkpointDir: a['checkpoint-dir'],
  onEvent: (e) => {
    if (e.type === 'step') {
      const { step, mu, lr, val, elapsedMs } = e.stats;
      const acc = val ? (val.accuracy * 100).toFixed(2) : '-';
      console.error(
        `step ${step}/${e.steps}: val ${acc}%  mu ${mu ?? '-'}  lr ${lr}  ${(elapsedMs / 1000).toFixed(0)} s`,
      );
    } else if (e.type === 'iteration' && performance.now() - lastLog > 60_000) {
      lastLog = performance.now();
      console.error(
        `  step ${e.step} iteration ${e.iteration}/${e.iterations} loss ${e.loss.toFixed(4)} eta ${e.eta?.toFixed(0)} s`,
      );
    } else if (e.type !== 'iteration') console.error(JSON.stringify(e));
  },
}).run();

const after = result.test!;
const denseReport = sparsityReport(dense).table.at(-1)!;
const compressed = sparsityReport(result.model);
const compressedReport = compressed.table.at(-1)!;
// The saved files themselves: stock tfjs layout for the dense model, sparse layout compressed.
const savedGzip = async (m: tf.LayersModel, format: 'tfjs' | 'sparse'): Promise<number> =>
  gzipSync((await serializeModel(m, { format })).weights).length;
const gzipBytesSparse = await savedGzip(result.model, 'sparse');
const gzipBytesDenseSaved = await savedGzip(dense, 'tfjs');
const record = {
  scheme: a.scheme,
  optimizer: optimizer.name,
  options: optimizer.toJSON(),
  distill,
  lrHold: a['lr-hold'],
  cosine: a.cosine,
  budgetMinibatches: a.optimizer === 'direct' ? 0 : iters,
  structured:
    a.scheme === 'filter' || a.scheme === 'group'
      ? {
          importance: a.importance,
          density: structuredDensity,
          flopsCutTarget: a['flops-cut'] ?? null,
          calibrationImages: n('calibration'),
        }
      : undefined,
  flopsKept,
  keptFilters: Object.fromEntries(
    convs.map((l) => [
      l,
      tf.tidy(
        () =>
          tf
            .max(tf.abs(result.model.getLayer(l).getWeights()[0]), [0, 1, 2])
            .greater(0)
            .sum()
            .dataSync()[0],
      ),
    ]),
  ),
  preTraining:
    preIters > 0 ? { iterations: preIters, l1: n('pre-l1'), l2: n('pre-l2'), lr: common.lr } : undefined,
  batchSize,
  denseTestAccuracy: before.accuracy,
  testAccuracy: after.accuracy,
  dropPoints: (before.accuracy - after.accuracy) * 100,
  valAccuracy: result.val.accuracy,
  bestStep: result.bestStep,
  steps: result.stats.map((s) => ({
    step: s.step,
    mu: s.mu,
    val: s.val?.accuracy,
    valLoss: s.val?.loss,
    iterations: s.iterations,
  })),
  globalSparsity: compressed.globalSparsity,
  gzipBytesDense: denseReport.gzipBytes,
  gzipBytesCompressed: compressedReport.gzipBytes,
  gzipRatio: denseReport.gzipBytes / compressedReport.gzipBytes,
  gzipBytesSparse,
  gzipRatioSparse: gzipBytesDenseSaved / gzipBytesSparse,
  wallSeconds: (performance.now() - started) / 1000,
  resumedFrom: result.resumedFrom,
  runSeconds: (result.stats.at(-1)?.elapsedMs ?? 0) / 1000,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
  backend,
  loadAverageAtEnd: loadavg(),
  date: new Date().toISOString(),
  note: a.note,
};
console.log(JSON.stringify(record));
mkdirSync(dirname(a.out!), { recursive: true });
appendFileSync(a.out!, JSON.stringify(record) + '\n');
optimizers.disposeModel(result.model);
dense.dispose();
tf.dispose([valData, testData]);
