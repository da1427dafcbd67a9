/**
 * The seed's seven pruning experiments (torch.nn.utils.prune on a CIFAR-10 CNN), redone with
 * condensa-ts's `prune` namespace on the seed's network (`seedNet`) and printed in the seed's
 * columns, plus test-set inference time and model size.
 *
 *   npx tsx examples/seed-experiments.ts                 # pretrained seedNet 0.25, full test set
 *   npx tsx examples/seed-experiments.ts --subset 200    # quick run (CI)
 *   npx tsx examples/seed-experiments.ts --fresh --width 0.25   # untrained net (no weights needed)
 *   npx tsx examples/seed-experiments.ts --model-dir DIR        # a saved seedNet of any width
 *
 * `runSeedExperiments` is the whole experiment as a function, so tests can call it.
 */
import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { initBackend } from '../src/backend/index.js';
import { CIFAR10_MEAN, CIFAR10_STD, loadCifar10, stratifiedSubset, toTensors } from '../src/data/index.js';
import type { Split } from '../src/data/index.js';
import { loadModel, readRecord } from '../src/io/index.js';
import { PRETRAINED, loadPretrained, pretrainedRecord, seedNet } from '../src/models/index.js';
import { clearPruning, prune, prunedWeights } from '../src/pruning/index.js';
import { formatSizeTable, sparsityReport } from '../src/report/index.js';
import type { SparsityReport } from '../src/report/index.js';

/** The seed's own numbers (full-width PyTorch net, 15.4M parameters, 79.67% unpruned). */
export const SEED_RESULTS = {
  baseline: { accuracy: 0.7967, inferenceMs: 1310.764, sizeMB: 61.45, parameters: 15355402 },
  rows: {
    '1a': { pruned: 2765, pct: 0.018, accuracy: 0.2166 },
    '1b': { pruned: 2867, pct: 0.0187, accuracy: 0.3488 },
    '2a': { pruned: 2765, pct: 0.018, accuracy: 0.7145 },
    '2b': { pruned: 2867, pct: 0.0187, accuracy: 0.7213 },
    '3a': { pruned: 2754, pct: 0.0179, accuracy: 0.6678 },
    '3b': { pruned: 2862, pct: 0.0186, accuracy: 0.7027 },
    '4a': { pruned: 2754, pct: 0.0179, accuracy: 0.7511 },
    '4b': { pruned: 2862, pct: 0.0186, accuracy: 0.7404 },
    '5': { pruned: 5550033, pct: 36.144, accuracy: 0.7699 },
    '6': { pruned: 11516552, pct: 75.0, accuracy: 0.6916 },
    '7': { pruned: 3584, pct: 0.0233, accuracy: 0.1713 },
    '7t': { pruned: 3584, pct: 0.0233, accuracy: 0.1713 },
  } as Record<string, { pruned: number; pct: number; accuracy: number }>,
};

/** Options of {@link runSeedExperiments}. */
export interface SeedExperimentOptions {
  /** Test images used (stratified, seeded); default all 10000. */
  subset?: number;
  /** seedNet width when no pretrained weights are used (default 0.25). */
  width?: number;
  /** Use a freshly initialised seedNet instead of `loadPretrained('seednet-0.25-cifar10')`. */
  fresh?: boolean;
  /** Load the model from this saved-model directory instead (any seedNet width). */
  modelDir?: string;
  /** Seed of the random methods and of the subset. */
  seed?: number;
  /** Called with each row as it is measured. */
  onRow?: (row: ExperimentRow) => void;
  /** Where CIFAR-10 is cached (default: the data loader's). */
  dataDir?: string;
}

/** One measured experiment, in the seed's columns. */
export interface ExperimentRow {
  id: string;
  type: string;
  units: string;
  call: string;
  /** Entries zeroed by the masks (over all pruned weights). */
  parametersPruned: number;
  /** 100 * parametersPruned / trainable parameters. */
  percentPruned: number;
  accuracy: number;
  /** Baseline accuracy minus accuracy (fraction). */
  accuracyDrop: number;
  /** Total wall time of inference over the test images. */
  inferenceMs: number;
  /** Weights as saved (float32) and their gzip size. */
  savedBytes: number;
  gzipBytes: number;
}

/** The whole run. */
export interface SeedExperimentResult {
  model: string;
  testImages: number;
  trainableParameters: number;
  baseline: Omit<
    ExperimentRow,
    'id' | 'type' | 'units' | 'call' | 'parametersPruned' | 'percentPruned' | 'accuracyDrop'
  >;
  rows: ExperimentRow[];
  /** Per-weight sparsity after experiment 6 (global pruning), as the seed reports it. */
  globalReport: SparsityReport;
}

type Layer = tf.layers.Layer;

interface Experiment {
  id: string;
  type: string;
  units: string;
  call: string;
  run(model: tf.LayersModel, seed: number): void;
}

const conv = (m: tf.LayersModel): Layer => m.getLayer('conv1');
const classOf = (l: Layer): string => l.getClassName();

/**
 * The seed's custom method, faithful to PyTorch: it zeroes entries 0, 2, 4... of the tensor in
 * PyTorch's flat order, which for a conv kernel is [out, in, kh, kw]. In tfjs's [kh, kw, in, out]
 * order, "every other entry" (prune.everyOtherEntry, row 7t) is every other FILTER whenever the
 * filter count is even: a structured cut of half the filters, not the seed's checkerboard.
 */
const everyOtherTorchOrder = prune.definePruningMethod({
  name: 'EveryOtherEntryTorchOrder',
  kind: 'unstructured',
  computeMask: (t, mask) => {
    const shape = t.shape;
    const flags = new Float32Array(t.size);
    if (shape.length === 4) {
      const [kh, kw, cin, cout] = shape;
      for (let i = 0; i < t.size; i++) {
        const o = i % cout;
        const c = Math.floor(i / cout) % cin;
        const x = Math.floor(i / (cout * cin)) % kw;
        const y = Math.floor(i / (cout * cin * kw));
        const torchIndex = ((o * cin + c) * kh + y) * kw + x;
        flags[i] = torchIndex % 2;
      }
    } else {
      for (let i = 1; i < t.size; i += 2) flags[i] = 1;
    }
    return tf.mul(mask, tf.tensor(flags, shape));
  },
});

/** The seed's experiments; `a`/`b` rows are the seed's two sub-results of one experiment. */
const EXPERIMENTS: Experiment[] = [
  {
    id: '1a',
    type: 'Random Unstructured',
    units: 'conv1 kernel',
    call: "prune.randomUnstructured(conv1, 'kernel', 0.4, { seed })",
    run: (m, seed) => prune.randomUnstructured(conv(m), 'kernel', 0.4, { seed }),
  },
  {
    id: '1b',
    type: 'Random Unstructured',
    units: 'conv1 kernel & bias',
    call: "... then prune.randomUnstructured(conv1, 'bias', 0.4, { seed })",
    run: (m, seed) => {
      prune.randomUnstructured(conv(m), 'kernel', 0.4, { seed });
      prune.randomUnstructured(conv(m), 'bias', 0.4, { seed: seed + 1 });
    },
  },
  {
    id: '2a',
    type: 'L1 Unstructured',
    units: 'conv1 kernel',
    call: "prune.l1Unstructured(conv1, 'kernel', 0.4)",
    run: (m) => prune.l1Unstructured(conv(m), 'kernel', 0.4),
  },
  {
    id: '2b',
    type: 'L1 Unstructured',
    units: 'conv1 kernel & bias',
    call: "... then prune.l1Unstructured(conv1, 'bias', 0.4)",
    run: (m) => {
      prune.l1Unstructured(conv(m), 'kernel', 0.4);
      prune.l1Unstructured(conv(m), 'bias', 0.4);
    },
  },
  {
    id: '3a',
    type: 'Random Structured',
    units: 'conv1 filters (40%)',
    call: "prune.randomStructured(conv1, 'kernel', 0.4, 'out', { seed })",
    run: (m, seed) => prune.randomStructured(conv(m), 'kernel', 0.4, 'out', { seed }),
  },
  {
    id: '3b',
    type: 'Random Structured',
    units: 'conv1 filters (41.479%)',
    call: "prune.randomStructured(conv1, 'kernel', 0.41479, 'out', { seed })",
    run: (m, seed) => prune.randomStructured(conv(m), 'kernel', 0.41479, 'out', { seed }),
  },
  {
    id: '4a',
    type: 'Ln Structured',
    units: 'conv1 filters (n=2, 40%)',
    call: "prune.lnStructured(conv1, 'kernel', 0.4, 2, 'out')",
    run: (m) => prune.lnStructured(conv(m), 'kernel', 0.4, 2, 'out'),
  },
  {
    id: '4b',
    type: 'Ln Structured',
    units: 'conv1 filters (n=1, 41.479%)',
    call: "prune.lnStructured(conv1, 'kernel', 0.41479, 1, 'out')",
    run: (m) => prune.lnStructured(conv(m), 'kernel', 0.41479, 1, 'out'),
  },
  {
    id: '5',
    type: 'Multiple parameters',
    units: 'all Conv2D (30%) and Dense (40%) kernels & biases',
    call: "for each Conv2D: prune.l1Unstructured(l, 'kernel' then 'bias', 0.3); Dense: 0.4",
    run: (m) => {
      const amounts: Record<string, number> = { Conv2D: 0.3, Dense: 0.4 };
      for (const l of m.layers) {
        const amount = amounts[classOf(l)];
        if (amount === undefined) continue;
        prune.l1Unstructured(l, 'kernel', amount);
        prune.l1Unstructured(l, 'bias', amount);
      }
    },
  },
  {
    id: '6',
    type: 'Global',
    units: 'all conv/bn/dense weights & biases',
    call: "prune.globalUnstructured(params, { method: 'l1Unstructured', amount: 0.75 })",
    run: (m) => prune.globalUnstructured(globalParams(m), { method: 'l1Unstructured', amount: 0.75 }),
  },
  {
    id: '7',
    type: 'Custom',
    units: 'conv1 kernel & bias',
    call: "everyOtherTorchOrder.apply(conv1, 'kernel'); ... (conv1, 'bias')",
    run: (m) => {
      everyOtherTorchOrder.apply(conv(m), 'kernel');
      everyOtherTorchOrder.apply(conv(m), 'bias');
    },
  },
  {
    id: '7t',
    type: 'Custom (tfjs order)',
    units: 'conv1 kernel & bias',
    call: "prune.everyOtherEntry.apply(conv1, 'kernel'); ... (conv1, 'bias')",
    run: (m) => {
      prune.everyOtherEntry.apply(conv(m), 'kernel');
      prune.everyOtherEntry.apply(conv(m), 'bias');
    },
  },
];

/** The seed's `parameters_to_prune`: weights then biases of conv, bn and linear layers. */
function globalParams(m: tf.LayersModel): Array<[Layer, string]> {
  const names: Record<string, [string, string]> = {
    Conv2D: ['kernel', 'bias'],
    Dense: ['kernel', 'bias'],
    BatchNormalization: ['gamma', 'beta'],
  };
  const layers = m.layers.filter((l) => names[classOf(l)] !== undefined);
  return [0, 1].flatMap((i) => layers.map((l): [Layer, string] => [l, names[classOf(l)][i]]));
}

function trainableCount(m: tf.LayersModel): number {
  return m.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

function prunedCount(m: tf.LayersModel): number {
  return prunedWeights(m).reduce((s, { mask }) => s + mask.size - tf.tidy(() => mask.sum().dataSync()[0]), 0);
}

/** Accuracy and total inference wall time over `xs`, in batches of 500. */
function evaluate(
  m: tf.LayersModel,
  xs: tf.Tensor4D,
  labels: Uint8Array,
): { accuracy: number; inferenceMs: number } {
  const n = xs.shape[0];
  let correct = 0;
  let ms = 0;
  for (let at = 0; at < n; at += 500) {
    const size = Math.min(500, n - at);
    const batch = xs.slice([at, 0, 0, 0], [size, -1, -1, -1]);
    const t0 = performance.now();
    const pred = tf.tidy(() => (m.predict(batch) as tf.Tensor).argMax(-1));
    const got = pred.dataSync();
    ms += performance.now() - t0;
    for (let i = 0; i < size; i++) if (got[i] === labels[at + i]) correct++;
    tf.dispose([batch, pred]);
  }
  return { accuracy: correct / n, inferenceMs: ms };
}

interface Normalization {
  normalize: 'standard' | 'unit';
  mean: number[];
  std: number[];
}

/** The input normalization the model was trained with (its record's, else CIFAR-10 standard). */
async function normalizationOf(fresh: boolean, modelDir?: string): Promise<Normalization> {
  const standard: Normalization = { normalize: 'standard', mean: CIFAR10_MEAN, std: CIFAR10_STD };
  if (fresh && !modelDir) return standard;
  const record = modelDir
    ? ((await readRecord(modelDir)) ?? {})
    : await pretrainedRecord('seednet-0.25-cifar10').catch(() => ({}) as Record<string, unknown>);
  const n = record.normalization ?? record.normalize;
  if (n === 'unit') return { ...standard, normalize: 'unit' };
  const o = n as { mean?: unknown; std?: unknown } | undefined;
  if (o && Array.isArray(o.mean) && Array.isArray(o.std)) {
    return { normalize: 'standard', mean: o.mean as number[], std: o.std as number[] };
  }
  return standard;
}

/**
 * Run the seed's seven experiments on CIFAR-10: each starts from a fresh copy of the model, prunes
 * it with the `prune` namespace exactly as the seed's PyTorch calls did, and measures test accuracy,
 * inference time and saved size.
 *
 * @example
 * ```ts
 * const r = await runSeedExperiments({ subset: 200 });
 * console.log(formatExperimentTable(r));
 * ```
 */
export async function runSeedExperiments(opts: SeedExperimentOptions = {}): Promise<SeedExperimentResult> {
  const seed = opts.seed ?? 1;
  const fresh = opts.fresh ?? false;
  const width = opts.width ?? 0.25;
  const modelDir = opts.modelDir;
  const makeModel = modelDir
    ? async () => loadModel(modelDir)
    : fresh
      ? async () => seedNet({ width, seed })
      : async () => loadPretrained('seednet-0.25-cifar10' satisfies (typeof PRETRAINED)[number]);
  const data = await loadCifar10({ dataDir: opts.dataDir });
  let test: Split = data.test;
  if (opts.subset !== undefined && opts.subset < test.count) {
    test = stratifiedSubset(test, { perClass: Math.max(1, Math.floor(opts.subset / 10)), seed });
  }
  const norm = await normalizationOf(fresh, modelDir);
  const { xs, ys } = toTensors(test, { ...norm, numClasses: 10 });
  ys.dispose();
  try {
    const base = await makeModel();
    const trainable = trainableCount(base);
    const baseEval = evaluate(base, xs, test.labels);
    const baseSize = sparsityReport(base).table.at(-1)!;
    base.dispose();
    const rows: ExperimentRow[] = [];
    let globalReport: SparsityReport | undefined;
    for (const e of EXPERIMENTS) {
      const m = await makeModel();
      e.run(m, seed);
      const pruned = prunedCount(m);
      const ev = evaluate(m, xs, test.labels);
      const report = sparsityReport(m);
      if (e.id === '6') globalReport = report;
      const total = report.table.at(-1)!;
      const row: ExperimentRow = {
        id: e.id,
        type: e.type,
        units: e.units,
        call: e.call,
        parametersPruned: pruned,
        percentPruned: (100 * pruned) / trainable,
        accuracy: ev.accuracy,
        accuracyDrop: baseEval.accuracy - ev.accuracy,
        inferenceMs: ev.inferenceMs,
        savedBytes: total.savedBytes,
        gzipBytes: total.gzipBytes,
      };
      rows.push(row);
      opts.onRow?.(row);
      clearPruning(m);
      m.dispose();
    }
    return {
      model: modelDir
        ? `seedNet from ${modelDir}`
        : fresh
          ? `seedNet width ${width} (untrained, seed ${seed})`
          : 'seedNet width 0.25 (pretrained seednet-0.25-cifar10)',
      testImages: test.count,
      trainableParameters: trainable,
      baseline: {
        accuracy: baseEval.accuracy,
        inferenceMs: baseEval.inferenceMs,
        savedBytes: baseSize.savedBytes,
        gzipBytes: baseSize.gzipBytes,
      },
      rows,
      globalReport: globalReport!,
    };
  } finally {
    xs.dispose();
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** The rows as a Markdown table, our numbers beside the seed's. */
export function formatExperimentTable(r: SeedExperimentResult): string {
  const head =
    '| # | pruning type | units pruned | call | params pruned | % params pruned | accuracy | drop | inference ms | saved / gzip bytes | seed: pruned, %, accuracy |';
  const sep = '|' + ' --- |'.repeat(11);
  const lines = r.rows.map((row) => {
    const s = SEED_RESULTS.rows[row.id];
    return (
      `| ${row.id} | ${row.type} | ${row.units} | \`${row.call}\` | ${row.parametersPruned} | ` +
      `${row.percentPruned.toFixed(4)} | ${pct(row.accuracy)} | ${pct(row.accuracyDrop)} | ` +
      `${row.inferenceMs.toFixed(0)} | ${row.savedBytes} / ${row.gzipBytes} | ` +
      `${s.pruned}, ${s.pct}, ${pct(s.accuracy)} |`
    );
  });
  const b = r.baseline;
  const base =
    `Unpruned: accuracy ${pct(b.accuracy)}, inference ${b.inferenceMs.toFixed(0)} ms for ${r.testImages} images, ` +
    `weights ${b.savedBytes} bytes (gzip ${b.gzipBytes}); ${r.trainableParameters} trainable parameters. Model: ${r.model}.`;
  return [base, '', head, sep, ...lines].join('\n');
}

function parseArgs(argv: string[]): SeedExperimentOptions {
  const opts: SeedExperimentOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number; got ${argv[i]}`);
      return v;
    };
    if (a === '--subset') opts.subset = num();
    else if (a === '--width') opts.width = num();
    else if (a === '--seed') opts.seed = num();
    else if (a === '--fresh') opts.fresh = true;
    else if (a === '--model-dir') opts.modelDir = argv[++i];
    else
      throw new Error(
        `unknown option ${a}; accepted: --subset N, --width W, --seed S, --fresh, --model-dir DIR`,
      );
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  await initBackend({ announce: false });
  if (!opts.fresh && !opts.modelDir && opts.width !== undefined && opts.width !== 0.25) {
    throw new Error('the pretrained seedNet has width 0.25; pass --fresh to use another width');
  }
  const t0 = performance.now();
  const r = await runSeedExperiments({
    ...opts,
    onRow: (row) => console.error(`  ${row.id} ${row.type}: ${pct(row.accuracy)}`),
  });
  console.log(formatExperimentTable(r));
  console.log('\nGlobal pruning (experiment 6) sparsity report:\n');
  console.log(r.globalReport.text);
  console.log('');
  console.log(formatSizeTable(r.globalReport));
  console.error(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
