import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { InvalidArgumentError } from '../errors.js';
import { importanceNames } from '../importance/index.js';
import { PRETRAINED } from '../models/pretrained.js';
import { sensitivityData } from '../queue/sensitivity-data.js';
import { evaluate } from '../training/evaluate.js';
import { resolveLoss } from '../training/loss.js';
import { hanDensities, sensitivity, sensitivityCsv } from '../search/sensitivity.js';
import { TRAINING_DATASETS } from '../training/datasets.js';
import { resolveModelArg } from './checks.js';
import { UsageError } from './errors.js';
import { loadModelArg } from './flags.js';
import { openProbeQueue } from './probe-queue.js';

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
  .option('--queue <redis-url>', 'run the probes as jobs on `condensa worker`s sharing this Redis server')
  .action(async (opts) => {
    if (existsSync(opts.out) && readdirSync(opts.out).length > 0) {
      throw new InvalidArgumentError(`--out ${opts.out} is not empty: choose a new directory`);
    }
    if (opts.queue && opts.on === 'test') {
      throw new UsageError(
        '--queue: workers measure on the validation split held out of the training set; drop --on test or --queue',
      );
    }
    const input = resolveModelArg(opts.model);
    await initBackend();
    const data = await sensitivityData(opts.dataset, opts);
    const model = await loadModelArg(input);
    const queue = opts.queue ? await openProbeQueue(opts, input.dir) : undefined;
    const loss = resolveLoss('categoricalCrossentropy');
    const analysis = await sensitivity(model, {
      layers: opts.layers ? String(opts.layers).split(',') : undefined,
      sparsities: opts.sparsities,
      importance: opts.importance,
      granularity: opts.granularity,
      data: data.calibration,
      evaluate: async (m: tf.LayersModel) => (await evaluate(m, data.val, loss)).accuracy,
      probe: queue?.probe,
      onProbe: (layer, s, acc) =>
        console.log(`${layer} at ${(s * 100).toFixed(0)}% removed: ${(acc * 100).toFixed(2)}%`),
    }).finally(() => queue?.close());
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(join(opts.out, 'sensitivity.json'), `${JSON.stringify(analysis, null, 2)}\n`);
    writeFileSync(join(opts.out, 'sensitivity.csv'), sensitivityCsv(analysis));
    console.log(`baseline ${(analysis.baseline * 100).toFixed(2)}%; written to ${opts.out}`);
    if (opts.budget !== undefined)
      console.log(JSON.stringify({ densities: hanDensities(analysis, { budget: opts.budget }) }));
    data.dispose();
    model.dispose();
  });
