import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { InvalidArgumentError } from '../errors.js';
import { Compressor } from '../compressor/compressor.js';
import { progressBar } from '../compressor/progress-bar.js';
import { splitValidation, stratifiedSubset, toTensors } from '../data/index.js';
import { compactWithPlan } from '../graph/index.js';
import { loadModel, saveModel } from '../io/index.js';
import { loadPretrained, PRETRAINED, type PretrainedName } from '../models/pretrained.js';
import { DirectCompression, FineTune, LC } from '../optimizers/index.js';
import type { RecoveryOptimizer } from '../optimizers/recovery-optimizer.js';
import { schemeFromSpec } from '../schemes/index.js';
import { datasetRecipe, TRAINING_DATASETS } from '../training/datasets.js';

const count = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new CommanderArgError(`${name} must be an integer >= ${min}, got '${v}'`);
  return n;
};

const fraction = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(v.trim() !== '' && n >= 0 && n <= 1))
    throw new CommanderArgError(`${name} must be a number in [0, 1], got '${v}'`);
  return n;
};

/** The recovery optimizers the command line offers, with the budget knobs it exposes. */
type Planned = RecoveryOptimizer & { plan(): { steps: number; iterations: number } };
const OPTIMIZERS: Record<string, (steps: number, iterations: number) => Planned> = {
  lc: (steps, iterations) =>
    new LC({
      steps,
      firstLIterations: iterations,
      perLIterations: iterations,
      fineTuneIterations: iterations,
    }),
  finetune: (_steps, iterations) => new FineTune({ iterations }),
  direct: () => new DirectCompression({ bnImages: 2048 }),
};

/**
 * `condensa compress`: apply a scheme (a JSON spec, inline or in a file) to a saved or pretrained
 * model, recover accuracy with L-C, fine-tuning or nothing, with a progress bar, and save the
 * result (compacted with `--compact`). The input model's files are never written.
 *
 * @example
 * ```sh
 * condensa compress --model lenet5-mnist --dataset mnist --spec '{"scheme":"Prune","density":0.1}' \
 *   --optimizer lc --steps 4 --iterations 200 --out /tmp/lenet5-pruned
 * ```
 */
export const compressCommand = new Command('compress')
  .description('compress a model with a scheme spec, recover accuracy, save the result')
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
  .option('--train <n>', 'training images used for recovery (stratified)', count('--train', 10), 10_000)
  .option('--val <n>', 'validation images held out of the training set', count('--val', 10), 2000)
  .option('--seed <n>', 'seed of splits and minibatch order', count('--seed', 0), 0)
  .option('--checkpoint-dir <dir>', 'checkpoint every step here; re-running resumes')
  .option(
    '--distill [alpha]',
    "also train against the input model's soft predictions, with this weight (default 0.9)",
    fraction('--distill'),
  )
  .option('--compact', 'remove pruned channels before saving')
  .addOption(
    new Option(
      '--format <layout>',
      'saved layout: stock tfjs, or sparse (pruned weights as positions + values)',
    )
      .choices(['tfjs', 'sparse'])
      .default('tfjs'),
  )
  .option('--out <dir>', 'where to save the compressed model')
  .action(async (opts) => {
    // Refuse a non-empty output before spending minutes compressing (saveModel would refuse too).
    if (opts.out && existsSync(opts.out) && readdirSync(opts.out).length > 0) {
      throw new InvalidArgumentError(
        `--out ${opts.out} is not empty: choose a new directory (inputs are never overwritten)`,
      );
    }
    await initBackend();
    const spec = existsSync(opts.spec) ? readFileSync(opts.spec, 'utf8') : opts.spec;
    const scheme = schemeFromSpec(spec);
    const recipe = datasetRecipe(opts.dataset);
    const data = await recipe.load();
    const numClasses = data.classes.length;
    const { train, val } = splitValidation(data.train, { count: opts.val, seed: opts.seed });
    const perClass = Math.max(1, Math.floor(Math.min(opts.train, train.count) / numClasses));
    const norm = { normalize: 'standard', mean: recipe.mean, std: recipe.std, numClasses } as const;
    const trainData = toTensors(stratifiedSubset(train, { perClass, seed: opts.seed }), norm);
    const valData = toTensors(val, norm);
    const testData = toTensors(data.test, norm);

    const model = (PRETRAINED as readonly string[]).includes(opts.model)
      ? await loadPretrained(opts.model as PretrainedName)
      : await loadModel(opts.model);
    const optimizer = OPTIMIZERS[opts.optimizer](opts.steps, opts.iterations);
    const bar = progressBar({ total: optimizer.plan().iterations });
    const result = await new Compressor({
      model,
      scheme,
      optimizer,
      trainData,
      valData,
      testData,
      loss: 'categoricalCrossentropy',
      seed: opts.seed,
      testEvery: 'end',
      checkpointDir: opts.checkpointDir,
      // --distill alone: the Compressor's default alpha.
      distill: opts.distill === true || opts.distill === undefined ? opts.distill : { alpha: opts.distill },
      onEvent: bar.onEvent,
    }).run();
    bar.stop();
    console.log(
      `compressed with ${scheme.kind} + ${optimizer.name}${opts.distill === undefined ? '' : ' (distilled)'}: test accuracy ${pct(result.test!.accuracy)}`,
    );
    let out: tf.LayersModel = result.model;
    if (opts.compact) {
      const { model: small, plan } = compactWithPlan(result.model);
      out = small;
      const removed = plan.removed.reduce((s, r) => s + r.removed, 0);
      console.log(`compacted: ${removed} channel(s) removed from ${plan.removed.length} channel group(s)`);
      // Pruned channels compaction had to keep are never silent: say which and why.
      for (const p of plan.pinned) {
        console.log(
          `  kept ${p.channels} pruned channel(s) of ${p.layers.join(', ')}: ${p.reasons.join('; ')}`,
        );
      }
    }
    if (opts.out) {
      await saveModel(out, opts.out, {
        format: opts.format,
        record: { scheme: scheme.toJSON(), testAccuracy: result.test!.accuracy },
      });
      console.log(`saved to ${opts.out}`);
    }
    for (const t of [trainData, valData, testData])
      (Object.values(t) as tf.Tensor[]).forEach((x) => x.dispose());
  });

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
