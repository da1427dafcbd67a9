import { Command, Option } from 'commander';
import { initBackend } from '../backend/index.js';
import { Quantize } from '../schemes/quantize.js';
import { TRAINING_DATASETS } from '../training/datasets.js';
import { checkOutDir, resolveModelArg } from './checks.js';
import { checkModelFitsDataset } from './dataset-fit.js';
import { count, loadModelArg } from './flags.js';
import { finishTransform } from './model-output.js';

const EXAMPLES = `
Examples:
  $ condensa quantize lenet5-mnist --weights float16 --out /tmp/lenet5-f16
  $ condensa quantize lenet5-mnist --weights int8 --out /tmp/lenet5-int8 --dataset mnist --test 1000`;

/**
 * `condensa quantize <model>`: round every weight to float16 or 8-bit affine and save it in the
 * standard tfjs manifest (stock `tf.loadLayersModel` reads it), 2x or 4x smaller.
 *
 * @example
 * ```sh
 * condensa quantize lenet5-mnist --weights int8 --out /tmp/lenet5-int8
 * ```
 */
export const quantizeCommand = new Command('quantize')
  .description('store a model with float16 or int8 weights (2x / 4x smaller, loads in stock tfjs)')
  .argument('<model>', 'a saved model directory or a pretrained name')
  .addOption(
    new Option('--weights <dtype>', 'weight type').choices(['float16', 'int8']).makeOptionMandatory(),
  )
  .requiredOption('--out <dir>', 'where to save the quantized model (new or empty directory)')
  .option('--overwrite', 'replace a non-empty --out directory')
  .addOption(
    new Option('--dataset <name>', 'also measure accuracy on this test set').choices(
      Object.keys(TRAINING_DATASETS),
    ),
  )
  .option('--test <n>', 'test images for the accuracy (stratified; default all)', count('--test', 10))
  .option('--json', 'print the summary as JSON instead of the table')
  .addHelpText('after', EXAMPLES)
  .action(async (modelArg: string, opts) => {
    const input = resolveModelArg(modelArg, '<model>');
    const out = checkOutDir(opts.out, { overwrite: opts.overwrite, input: input.dir });
    await initBackend();
    const model = await loadModelArg(input);
    if (opts.dataset) checkModelFitsDataset(model, opts.dataset, '<model>');
    const quantized = await loadModelArg(input);
    // Round the kernels and biases in memory too, so the accuracy measured is (up to the other
    // float weights, e.g. BatchNorm's, also stored in the chosen type) the saved model's.
    const dtype = opts.weights as 'float16' | 'int8';
    new Quantize({ dtype }).pi(quantized);
    await finishTransform(model, quantized, {
      ...opts,
      out,
      save: { quantization: dtype === 'int8' ? 'uint8' : 'float16' },
      record: { input: modelArg, weights: dtype },
    });
    quantized.dispose();
    model.dispose();
  });
