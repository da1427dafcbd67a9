import { Command, Option } from 'commander';
import { initBackend } from '../backend/index.js';
import { compact } from '../graph/index.js';
import { TRAINING_DATASETS } from '../training/datasets.js';
import { checkOutDir, resolveModelArg } from './checks.js';
import { checkModelFitsDataset } from './dataset-fit.js';
import { count, loadModelArg, note } from './flags.js';
import { finishTransform } from './model-output.js';

const EXAMPLES = `
Examples:
  $ condensa compress --model seednet-0.25-cifar10 --dataset cifar10 --train 1000 --test 500 \\
      --spec '{"scheme":"FilterPrune","density":0.75}' --optimizer direct --no-compact --out /tmp/filters
  $ condensa compact /tmp/filters --out /tmp/filters-compact --dataset cifar10 --test 500
  $ condensa compact /tmp/filters --fold --out /tmp/filters-inference`;

/**
 * `condensa compact <model>`: physically remove the all-zero channels a structured scheme left
 * (fewer parameters, FLOPs and bytes; same predictions), print the before/after table and save.
 *
 * @example
 * ```sh
 * condensa compact /tmp/filters --out /tmp/filters-compact
 * ```
 */
export const compactCommand = new Command('compact')
  .description('remove the pruned channels of a structured-pruned model (smaller and faster, same outputs)')
  .argument('<model>', 'a saved model directory or a pretrained name')
  .requiredOption('--out <dir>', 'where to save the compacted model (new or empty directory)')
  .option('--overwrite', 'replace a non-empty --out directory')
  .addOption(new Option('--format <layout>', 'saved layout').choices(['tfjs', 'sparse']).default('tfjs'))
  .addOption(
    new Option('--dataset <name>', 'also measure accuracy on this test set').choices(
      Object.keys(TRAINING_DATASETS),
    ),
  )
  .option('--test <n>', 'test images for the accuracy (stratified; default all)', count('--test', 10))
  .option('--fold', 'also fold batch norms into the convolutions, drop identity layers (inference export)')
  .option('--json', 'print the summary as JSON instead of the table')
  .addHelpText('after', EXAMPLES)
  .action(async (modelArg: string, opts) => {
    const input = resolveModelArg(modelArg, '<model>');
    const out = checkOutDir(opts.out, { overwrite: opts.overwrite, input: input.dir });
    await initBackend();
    const model = await loadModelArg(input);
    if (opts.dataset) checkModelFitsDataset(model, opts.dataset, '<model>');
    const small = compact(model, { fold: opts.fold === true });
    if (small.countParams() === model.countParams()) {
      note(
        `${modelArg} has no all-zero channels to remove: saved unchanged (prune it with a structured scheme first)`,
      );
    } else {
      note(
        `compacted${opts.fold ? ' and folded' : ''}: ${model.countParams()} -> ${small.countParams()} parameters`,
      );
    }
    await finishTransform(model, small, {
      ...opts,
      out,
      save: { format: opts.format },
      record: { input: modelArg, compacted: true, folded: opts.fold === true },
    });
    small.dispose();
    model.dispose();
  });
