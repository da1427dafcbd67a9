/**
 * What the empty-layer guard changes on the case that exposed it: FilterPrune at density 0.5 on
 * the pretrained LeNet-5 (one global L2 threshold over filters of 25 and 150 weights), with the
 * guard (default) and with Condensa's literal semantics (allowEmptyLayers: true). Prints one JSON
 * line per setting: MNIST test accuracy, conv1's kept filters, the report's warnings.
 *
 *   npx tsx bench/guards/lenet-filterprune.ts [density]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.js';
import { loadMnist, toTensors } from '../../src/data/index.js';
import { loadPretrained } from '../../src/models/index.js';
import { evaluate } from '../../src/training/evaluate.js';
import { resolveLoss } from '../../src/training/loss.js';
import { FilterPrune, compressWithReport } from '../../src/schemes/index.js';

async function main(): Promise<void> {
  await initBackend({ announce: false });
  const density = Number(process.argv[2] ?? 0.5);
  const mnist = await loadMnist();
  const test = toTensors(mnist.test, { numClasses: 10 });
  const loss = resolveLoss('categoricalCrossentropy');
  const dense = await loadPretrained('lenet5-mnist');
  const base = await evaluate(dense, test, loss);
  console.log(JSON.stringify({ setting: 'dense', accuracy: base.accuracy }));
  dense.dispose();
  for (const allowEmptyLayers of [false, true]) {
    const model = await loadPretrained('lenet5-mnist');
    const report = compressWithReport(new FilterPrune({ density, allowEmptyLayers }), model);
    const { accuracy } = await evaluate(model, test, loss);
    const conv1 = report.compressed.find((c) => c.layer === report.compressed[0].layer);
    console.log(
      JSON.stringify({
        setting: allowEmptyLayers ? 'allowEmptyLayers: true (Condensa literal)' : 'guard (default)',
        density,
        accuracy,
        firstConv: conv1 && { layer: conv1.layer, kept: conv1.kept, total: conv1.total },
        layers: report.compressed.map((c) => `${c.layer} ${c.kept}/${c.total}`),
        warnings: report.warnings,
      }),
    );
    model.dispose();
  }
  tf.dispose([test.xs, test.ys]);
}

await main();
