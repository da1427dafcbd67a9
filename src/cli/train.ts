import { Command, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import { modelNames } from '../models/registry.js';
import { TRAINING_DATASETS } from '../training/datasets.js';
import { runTraining } from '../training/run.js';
import { checkOutDir } from './checks.js';

const EXAMPLES = `
Examples:
  $ condensa train --model lenet5 --dataset mnist --epochs 1 --per-class 100 --out /tmp/lenet5-quick
  $ condensa train --model seednet --width 0.25 --dataset cifar10 --epochs 30 --out /tmp/seednet-0.25`;

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new CommanderArgError(`${name} must be a positive integer, got '${v}'`);
  return n;
};
const positiveNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0))
    throw new CommanderArgError(`${name} must be a positive number, got '${v}'`);
  return n;
};
const integer = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CommanderArgError(`${name} must be an integer, got '${v}'`);
  return n;
};

/**
 * `condensa train`: train a reference model on a dataset with progress output, evaluate it on
 * the test set, and save a standard tfjs model with a JSON record (accuracy, epochs, time,
 * backend).
 */
export const trainCommand = new Command('train')
  .description('train a reference model, evaluate it and save model.json + weights + record.json')
  .addOption(new Option('--model <name>', 'reference model').choices(modelNames()).makeOptionMandatory())
  .addOption(
    new Option('--dataset <name>', 'dataset').choices(Object.keys(TRAINING_DATASETS)).makeOptionMandatory(),
  )
  .requiredOption('--epochs <n>', 'training epochs', positiveInt('--epochs'))
  .option('--out <dir>', 'directory to save the model and record in')
  .option('--width <w>', 'width multiplier (seednet, vgg, resnet20)', positiveNumber('--width'))
  .option('--seed <n>', 'seed of initialisation, shuffling and augmentation', integer('--seed'), 0)
  .option('--batch-size <n>', 'batch size', positiveInt('--batch-size'), 128)
  .addOption(new Option('--optimizer <kind>', 'optimizer').choices(['adam', 'sgd']).default('adam'))
  .option('--lr <lr>', 'initial learning rate (default 1e-3 Adam, 0.05 SGD)', positiveNumber('--lr'))
  .addOption(
    new Option('--schedule <kind>', 'learning-rate schedule')
      .choices(['cosine', 'step', 'constant'])
      .default('cosine'),
  )
  .addOption(
    new Option('--backend <name>', 'tfjs backend (default: the fastest available)').choices([
      'tensorflow',
      'wasm',
      'cpu',
    ]),
  )
  .option('--per-class <n>', 'train on n images per class (quick runs)', positiveInt('--per-class'))
  .addOption(new Option('--quantization <dtype>', 'store weights quantized').choices(['float16', 'uint8']))
  .option('--overwrite', 'replace an existing --out directory', false)
  .option('--checkpoint-dir <dir>', 'save after every epoch here, and resume from it when run again')

  .addHelpText('after', EXAMPLES)
  .action(async (o) => {
    // Before training: an unusable --out found after an hour of training loses the model.
    if (o.out) checkOutDir(o.out, { overwrite: o.overwrite });
    const { record, saved } = await runTraining({
      model: o.model,
      dataset: o.dataset,
      epochs: o.epochs,
      out: o.out,
      width: o.width,
      seed: o.seed,
      batchSize: o.batchSize,
      optimizer: o.optimizer,
      lr: o.lr,
      schedule: o.schedule,
      backend: o.backend,
      perClass: o.perClass,
      quantization: o.quantization,
      overwrite: o.overwrite,
      checkpointDir: o.checkpointDir,
      command: ['condensa', ...process.argv.slice(2)].join(' '),
    });
    console.log(
      `${record.model} on ${record.dataset}: test accuracy ${(100 * record.testAccuracy).toFixed(2)}% ` +
        `after ${record.epochs} epoch(s), ${record.secondsPerEpoch.toFixed(1)} s/epoch on ${record.backend}`,
    );
    if (saved) console.log(`saved to ${saved.dir} (weights sha256 ${saved.sha256})`);
  });
