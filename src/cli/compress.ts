import { Command, Option } from 'commander';
import type * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { initBackend } from '../backend/index.js';
import { Compressor } from '../compressor/compressor.js';
import { progressBar } from '../compressor/progress-bar.js';
import { compactWithPlan, foldForInference } from '../graph/index.js';
import { PRETRAINED } from '../models/pretrained.js';
import { DirectCompression, FineTune, LC } from '../optimizers/index.js';
import type { RecoveryOptimizer } from '../optimizers/recovery-optimizer.js';
import { writeReport } from '../report/html.js';
import { RUN_FILES } from '../report/run-dir.js';
import { formatSummary } from '../report/summary-table.js';
import { summary } from '../report/summary.js';
import { TrainingLog } from '../report/training-log.js';
import { refuseSkipped, schemeFromSpec } from '../schemes/index.js';
import type { SchemeReport } from '../schemes/report.js';
import { TRAINING_DATASETS } from '../training/datasets.js';
import { checkOutDir, readSpecArg, resolveModelArg } from './checks.js';
import { loadRunData } from './compress-data.js';
import { checkModelFitsDataset, checkTrainSize } from './dataset-fit.js';
import { UsageError } from './errors.js';
import { count, fraction, loadModelArg, note } from './flags.js';
import { chooseLayout } from './layout.js';
import { saveOrRecover } from './save-output.js';
import { searchLines, searchRecord, writeSearchSamples } from './search-notes.js';
import { checkQueueServesSearch, openSearchQueue } from './search-queue.js';

/** The recovery optimizers the command line offers, with the budget knobs it exposes. */
type Planned = RecoveryOptimizer & { plan(): { steps: number; iterations: number } };
type Budget = { steps: number; iterations: number; batchSize: number };
const OPTIMIZERS: Record<string, (b: Budget) => Planned> = {
  lc: ({ steps, iterations, batchSize }) =>
    new LC({
      steps,
      batchSize,
      firstLIterations: iterations,
      perLIterations: iterations,
      fineTuneIterations: iterations,
    }),
  finetune: ({ iterations, batchSize }) => new FineTune({ iterations, batchSize }),
  direct: () => new DirectCompression({ bnImages: 2048 }),
};

const EXAMPLES = `
Examples:
  $ condensa compress --model lenet5-mnist --dataset mnist --spec '{"scheme":"Prune","density":0.1}' \\
      --optimizer finetune --iterations 100 --train 2000 --out /tmp/lenet5-pruned
  $ condensa compress --model seednet-0.25-cifar10 --dataset cifar10 --train 1000 --test 500 \\
      --spec '{"scheme":"FilterPrune","density":0.75}' --optimizer finetune --iterations 20 --out /tmp/seednet-filters
  $ condensa compress --model lenet5-mnist --dataset mnist --spec '{"scheme":"Quantize","dtype":"int8"}' \\
      --optimizer direct --dry-run --json
  $ condensa compress --model lenet5-mnist --dataset mnist --spec '{"scheme":"Prune","density":0.1}' \
      --optimizer finetune --iterations 50 --train 1000 --test 500 --out /tmp/lenet5-run --report`;

/**
 * `condensa compress`: apply a scheme (a JSON spec, inline or in a file) to a saved or pretrained
 * model, recover accuracy with L-C, fine-tuning or nothing, print a before/after table and save
 * the result in the smallest layout the scheme allows. Every path is checked before the work
 * starts, and the input model's files are never written.
 *
 * @example
 * ```sh
 * condensa compress --model lenet5-mnist --dataset mnist --spec '{"scheme":"Prune","density":0.1}' \
 *   --optimizer lc --steps 4 --iterations 200 --out /tmp/lenet5-pruned
 * ```
 */
export const compressCommand = new Command('compress')
  .description('compress a model with a scheme spec, recover accuracy, save it, print before/after')
  .requiredOption(
    '--model <dir|name>',
    `a saved model directory or a pretrained name (${PRETRAINED.join(', ')})`,
  )
  .addOption(
    new Option('--dataset <name>', 'dataset').choices(Object.keys(TRAINING_DATASETS)).makeOptionMandatory(),
  )
  .requiredOption('--spec <json|file>', 'scheme spec: JSON text or a .json file (see schemeFromSpec)')
  .addOption(
    new Option('--optimizer <kind>', 'accuracy recovery').choices(Object.keys(OPTIMIZERS)).default('lc'),
  )
  .option('--steps <n>', 'L-C outer steps', count('--steps', 1), 4)
  .option('--iterations <n>', 'minibatches per L step / fine-tuning', count('--iterations', 1), 200)
  .option('--batch-size <n>', 'minibatch size of the recovery', count('--batch-size', 1), 128)
  .option('--train <n>', 'training images used for recovery (stratified)', count('--train', 10), 10_000)
  .option('--val <n>', 'validation images held out of the training set', count('--val', 10), 2000)
  .option(
    '--test <n>',
    'test images for the accuracies (stratified; default: the whole test set)',
    count('--test', 10),
  )
  .option('--seed <n>', 'seed of splits and minibatch order', count('--seed', 0), 0)
  .option('--checkpoint-dir <dir>', 'checkpoint every step here; re-running resumes')
  .option(
    '--distill [alpha]',
    "also train against the input model's soft predictions, with this weight (default 0.9)",
    fraction('--distill'),
  )
  .option('--compact', 'remove pruned channels before saving (default for structured schemes)')
  .option('--no-compact', 'save structured-pruned models uncompacted')
  .option('--fold', 'fold batch norms into the convolutions and drop identity layers (inference export)')
  .addOption(
    new Option(
      '--format <layout>',
      'saved layout (default: sparse when smaller for unstructured pruning)',
    ).choices(['tfjs', 'sparse']),
  )
  .addOption(
    new Option('--weights <dtype>', 'saved weight type (default: the Quantize scheme, else float32)').choices(
      ['float32', 'float16', 'int8'],
    ),
  )
  .option('--out <dir>', 'where to save the compressed model (new or empty directory)')
  .option('--overwrite', 'replace a non-empty --out directory')
  .option('--dry-run', 'compress and print the summary without saving (instead of --out)')
  .option('--json', 'print the summary as JSON on stdout instead of the table')
  .option('--report', 'also write <out>/report.html: table, densities, training curve, search trace')
  .option('--strict', 'refuse (before any work) a model with layers the scheme targets but cannot handle')
  .option(
    '--queue <redis-url>',
    'run the density search samples as jobs on `condensa worker`s sharing this Redis server',
  )
  .option(
    '--batch <q>',
    'search samples proposed at a time with --queue (about the number of workers)',
    count('--batch', 1),
    1,
  )
  .addHelpText('after', EXAMPLES)
  .action(async (opts) => {
    if (!opts.out && !opts.dryRun)
      throw new UsageError(
        '--out is required; pass --out DIR to save the compressed model, or --dry-run to save nothing',
      );
    if (opts.out && opts.dryRun)
      throw new UsageError('--out and --dry-run contradict each other; pass one of them');
    if (opts.report && !opts.out)
      throw new UsageError('--report writes into the --out directory; pass --out DIR with it');
    const input = resolveModelArg(opts.model);
    const out = opts.out ? checkOutDir(opts.out, { overwrite: opts.overwrite, input: input.dir }) : undefined;
    // An existing checkpoint directory is how a run resumes: only its location is checked.
    if (opts.checkpointDir)
      checkOutDir(opts.checkpointDir, { overwrite: true, input: input.dir, flag: '--checkpoint-dir' });
    const scheme = schemeFromSpec(readSpecArg(opts.spec));
    checkQueueServesSearch(opts, scheme);
    if (opts.optimizer !== 'direct') checkTrainSize(opts.train, opts.batchSize, opts.dataset);
    await initBackend();
    const model = await loadModelArg(input);
    checkModelFitsDataset(model, opts.dataset);
    if (opts.strict) refuseSkipped(scheme, model);
    const data = await loadRunData(opts.dataset, opts);
    const optimizer = OPTIMIZERS[opts.optimizer](opts);
    const bar = progressBar({ total: optimizer.plan().iterations });
    const trainingLog = new TrainingLog();
    const queue = await openSearchQueue(opts, scheme, input.dir);
    const result = await new Compressor({
      model,
      scheme,
      optimizer,
      trainData: data.train,
      valData: data.val,
      testData: data.test,
      loss: 'categoricalCrossentropy',
      seed: opts.seed,
      testEvery: 'end',
      checkpointDir: opts.checkpointDir,
      // --distill alone: the Compressor's default alpha.
      distill: opts.distill === true || opts.distill === undefined ? opts.distill : { alpha: opts.distill },
      onEvent: (e) => {
        bar.onEvent(e);
        trainingLog.onEvent(e);
      },
      queue: queue?.runner,
    })
      .run()
      .finally(() => queue?.close());
    bar.stop();
    if (result.search) searchLines(result.search).forEach(note);
    const headline =
      `compressed with ${scheme.kind} + ${optimizer.name}${opts.distill === undefined ? '' : ' (distilled)'}: ` +
      `test accuracy ${(100 * result.test!.accuracy).toFixed(2)}%`;

    const layout = await chooseLayout(scheme, result.model, opts);
    const compacted = layout.compact ? compactWithPlan(result.model) : undefined;
    let deployed: tf.LayersModel = compacted ? compacted.model : result.model;
    if (opts.fold) {
      // The inference export: batch norms folded into the convolutions, identity layers dropped.
      const folded = foldForInference(deployed).model;
      if (deployed !== result.model) deployed.dispose();
      deployed = folded;
    }
    // Pruned channels compaction had to keep are never silent: which and why.
    const pinned = (compacted?.plan.pinned ?? []).map(
      (p) => `kept ${p.channels} pruned channel(s) of ${p.layers.join(', ')}: ${p.reasons.join('; ')}`,
    );
    const save = { format: layout.format, quantization: layout.quantization };
    const figures = await summary(model, deployed, { data: data.test, afterSave: save });
    const search = result.search ? searchRecord(result.search) : undefined;
    const report = {
      input: opts.model,
      scheme: scheme.toJSON(),
      optimizer: optimizer.name,
      layout,
      summary: figures,
      search,
      schemeReport: result.schemeReport,
      pinned,
    };
    if (out) {
      await saveOrRecover(deployed, out, {
        ...save,
        overwrite: opts.overwrite,
        record: {
          scheme: scheme.toJSON(),
          testAccuracy: result.test!.accuracy,
          input: opts.model,
          layout,
          folded: opts.fold === true,
          search,
        },
        extraJson: { [RUN_FILES.summary]: report },
      });
      // The run's record for `condensa report`: the recovery's curve and the search's samples.
      if (trainingLog.trained) await trainingLog.write(out);
      if (result.search) await writeSearchSamples(out, result.search);
    }
    const html =
      out && opts.report
        ? (await writeReport(out, join(out, RUN_FILES.report), { model: deployed })).file
        : undefined;
    if (opts.json) {
      console.log(JSON.stringify({ ...report, out: out ?? null, reportFile: html ?? null }, null, 2));
    } else {
      console.log(headline);
      schemeLines(result.schemeReport).forEach((line) => console.log(line));
      pinned.forEach((line) => console.log(line));
      console.log(formatSummary(figures));
      console.log(`saved as: ${layout.reason}${opts.fold ? ', batch norms folded (--fold)' : ''}`);
      console.log(out ? `saved to ${out}` : 'not saved (--dry-run)');
      if (html) console.log(`report: ${html}`);
    }
    if (deployed !== result.model) deployed.dispose();
    result.model.dispose();
    model.dispose();
    data.dispose();
  });

/** What the scheme did that a user must not miss: layers skipped (and why), guards and warnings. */
function schemeLines(report: SchemeReport | undefined): string[] {
  if (!report) return [];
  const guarded = report.compressed.filter((c) => c.guarded);
  return [
    ...report.skipped.map((s) => `skipped ${s.layer} (${s.className}): ${s.reason}`),
    ...guarded.map(
      (c) => `guard: ${c.layer} keeps ${c.kept} of ${c.total} (allowEmptyLayers: true removes them all)`,
    ),
    ...report.warnings.map((w) => `warning: ${w}`),
  ];
}
