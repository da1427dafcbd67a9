/**
 * Train a reference model from a script (the same run as `condensa train`), e.g.
 *   npx tsx examples/train.ts lenet5 mnist 3 /tmp/lenet5-mnist
 * Arguments: model, dataset, epochs, output directory (optional).
 */
import { modelNames } from '../src/models/index.js';
import { TRAINING_DATASETS, runTraining } from '../src/training/index.js';

const [model = 'lenet5', dataset = 'mnist', epochs = '1', out] = process.argv.slice(2);
if (!modelNames().includes(model) || !(dataset in TRAINING_DATASETS)) {
  console.error(
    `usage: examples/train.ts <${modelNames().join('|')}> <${Object.keys(TRAINING_DATASETS).join('|')}> [epochs] [outDir]`,
  );
  process.exit(2);
}
const { record, saved } = await runTraining({
  model,
  dataset,
  epochs: Number(epochs),
  out,
  command: `npx tsx examples/train.ts ${process.argv.slice(2).join(' ')}`,
});
console.log(JSON.stringify({ ...record, history: undefined }, null, 2));
if (saved) console.log(`saved to ${saved.dir}`);
