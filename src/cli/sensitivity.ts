import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { splitValidation, stratifiedSubset, toTensors } from '../data/index.js';
import { InvalidArgumentError } from '../errors.js';
import { importanceNames } from '../importance/index.js';
import { loadModel } from '../io/index.js';
import { loadPretrained, PRETRAINED, type PretrainedName } from '../models/pretrained.js';
import { evaluate } from '../training/evaluate.js';
import { resolveLoss } from '../training/loss.js';
import { hanDensities, sensitivity, sensitivityCsv } from '../search/sensitivity.js';
import { datasetRecipe, TRAINING_DATASETS } from '../training/datasets.js';

const count = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new CommanderArgError(`${name} must be an integer >= ${min}, got '${v}'`);
  return n;
};

const sparsityList = (v: string): number[] => {
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((s) => !(s >= 0 && s < 1))) {
    throw new CommanderArgError(
      `--sparsities must be comma-separated fractions removed in [0, 1), got '${v}'`,
    );
  }
  return list;
};

/**
 * `condensa sensitivity`: Han et al.'s per-layer sensitivity analysis of a saved or pretrained
 * model: validation accuracy with each layer pruned alone at each sparsity, written as
 * `sensitivity.json` and `sensitivity.csv`; with `--budget`, the per-layer densities (Han's
 * thresholds) that stay within it, ready for a FilterPrune spec's `densities`.
 *
 * @example
 * ```sh
 * condensa sensitivity --model seednet-0.25-cifar10 --dataset cifar10 --importance taylor \
 *   --sparsities 0.25,0.5,0.75 --val 1000 --budget 0.01 --out /tmp/sens
 * ```
 */
export const sensitivityCommand = new Command('sensitivity')
  .description('per-layer accuracy at each sparsity (others dense): JSON + CSV, and Han thresholds')
  .requiredOption(
    '--model <dir|name>',
    `a saved model directory or a pretrained name (${PRETRAINED.join(', ')})`,
  )
  .addOption(
    new Option('--dataset <name>', 'dataset').choices(Object.keys(TRAINING_DATASETS)).makeOptionMandatory(),
  )
  .option('--layers <names>', 'comma-separated layers to probe (default: every conv/dense but the output)')
  .option('--sparsities <list>', 'fractions removed to probe', sparsityList, [0.1, 0.25, 0.5, 0.75, 0.9])
  .addOption(
    new Option('--importance <name>', 'how filters are ranked').choices(importanceNames()).default('l2'),
  )
  .addOption(
    new Option('--granularity <g>', 'filters/neurons, or single weights (Han)')
      .choices(['structure', 'weight'])
      .default('structure'),
  )
  .option('--val <n>', 'images the accuracy is measured on', count('--val', 10), 2000)
  .addOption(
    new Option(
      '--on <split>',
      'measure on images held out of the training set, or on the first --val test images (for a model trained on all of the training set)',
    )
      .choices(['val', 'test'])
      .default('val'),
  )
  .option('--calibration <n>', 'training images for data-driven importance', count('--calibration', 10), 512)
  .option('--budget <drop>', "print Han's per-layer densities within this accuracy drop", Number)
  .option('--seed <n>', 'seed of the splits', count('--seed', 0), 0)
  .requiredOption('--out <dir>', 'where sensitivity.json and sensitivity.csv are written')
  .action(async (opts) => {
    if (existsSync(opts.out) && readdirSync(opts.out).length > 0) {
      throw new InvalidArgumentError(`--out ${opts.out} is not empty: choose a new directory`);
    }
    await initBackend();
    const recipe = datasetRecipe(opts.dataset);
    const data = await recipe.load();
    const numClasses = data.classes.length;
    const norm = { normalize: 'standard', mean: recipe.mean, std: recipe.std, numClasses } as const;
    const { train, val } = splitValidation(data.train, { count: opts.val, seed: opts.seed });
    const perClass = Math.max(1, Math.floor(opts.calibration / numClasses));
    const calibration = toTensors(stratifiedSubset(train, { perClass, seed: opts.seed }), norm);
    const valData =
      opts.on === 'test'
        ? toTensors(
            stratifiedSubset(data.test, {
              perClass: Math.max(1, Math.floor(opts.val / numClasses)),
              seed: opts.seed,
            }),
            norm,
          )
        : toTensors(val, norm);
    const model = (PRETRAINED as readonly string[]).includes(opts.model)
      ? await loadPretrained(opts.model as PretrainedName)
      : await loadModel(opts.model);
    const loss = resolveLoss('categoricalCrossentropy');
    const analysis = await sensitivity(model, {
      layers: opts.layers ? String(opts.layers).split(',') : undefined,
      sparsities: opts.sparsities,
      importance: opts.importance,
      granularity: opts.granularity,
      data: calibration,
      evaluate: async (m: tf.LayersModel) => (await evaluate(m, valData, loss)).accuracy,
      onProbe: (layer, s, acc) =>
        console.log(`${layer} at ${(s * 100).toFixed(0)}% removed: ${(acc * 100).toFixed(2)}%`),
    });
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(join(opts.out, 'sensitivity.json'), `${JSON.stringify(analysis, null, 2)}\n`);
    writeFileSync(join(opts.out, 'sensitivity.csv'), sensitivityCsv(analysis));
    console.log(`baseline ${(analysis.baseline * 100).toFixed(2)}%; written to ${opts.out}`);
    if (opts.budget !== undefined)
      console.log(JSON.stringify({ densities: hanDensities(analysis, { budget: opts.budget }) }));
    for (const t of [calibration, valData]) (Object.values(t) as tf.Tensor[]).forEach((x) => x.dispose());
  });
