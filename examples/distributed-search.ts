/**
 * A sparsity search whose samples run on `condensa worker` processes, on this machine or others:
 * unstructured pruning of the pretrained MNIST LeNet-5, the sparsest model within 2 points of
 * validation accuracy, one-shot pruning per sample, a short L-C for the chosen density.
 *
 *   redis-server --port 6379                                          # or a managed Redis
 *   npx condensa worker --redis redis://127.0.0.1:6379                # terminal 1 (and 2, 3...)
 *   npx tsx examples/distributed-search.ts --queue redis://127.0.0.1:6379 --batch 2
 *
 * Without --queue every sample runs in this process. --budget N (samples, default 8), --batch q
 * (samples at a time: the number of workers, default 2), --run-dir DIR (sample log: a restarted
 * search resumes). Workers read the model at the same absolute path and check its hash.
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../src/backend/index.js';
import { Compressor } from '../src/compressor/index.js';
import { MNIST_MEAN, MNIST_STD, loadMnist, splitValidation, toTensors } from '../src/data/index.js';
import { loadPretrained } from '../src/models/index.js';
import { objectives, searchops } from '../src/objectives/index.js';
import { DirectCompression, LC } from '../src/optimizers/index.js';
import { JobQueue, modelRef, queueSampleRunner } from '../src/queue/index.js';
import { Prune } from '../src/schemes/index.js';

const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    budget: { type: 'string', default: '8' },
    batch: { type: 'string', default: '2' },
    'run-dir': { type: 'string' },
  },
});
await initBackend();
const VAL = { dataset: 'mnist', split: 'validation', count: 2000, seed: 0 } as const;
const mnist = await loadMnist();
const { val } = splitValidation(mnist.train, { count: VAL.count, seed: VAL.seed });
const valData = toTensors(val, { normalize: 'standard', mean: MNIST_MEAN, std: MNIST_STD, numClasses: 10 });
const model = await loadPretrained('lenet5-mnist');
const queue = values.queue ? await JobQueue.open({ redis: values.queue }) : null;
try {
  const result = await new Compressor({
    model,
    scheme: new Prune(),
    objective: new searchops.Minimize(objectives.params({ nonzero: true })),
    eps: 0.02,
    budget: Number(values.budget),
    searchOptimizer: new DirectCompression(),
    optimizer: new LC({ steps: 2, firstLIterations: 50, fineTuneIterations: 0 }),
    trainData: valData,
    valData,
    loss: 'categoricalCrossentropy',
    runDir: values['run-dir'],
    // The jobs measure what `objective` names: nonzero parameters of the pruned model.
    queue: queue
      ? queueSampleRunner(
          queue,
          {
            model: await modelRef('assets/models/lenet5-mnist'),
            data: VAL,
            optimizer: { kind: 'direct', seed: 0 },
            objective: { name: 'nonzero-params', compacted: false },
          },
          Number(values.batch),
        )
      : undefined,
    onSample: (s) =>
      console.log(
        `sample ${s.index}: sparsity ${s.sparsity.toFixed(3)} accuracy ${s.accuracy.toFixed(4)}` +
          ` on ${(s.extra.job as { workerId?: string } | undefined)?.workerId ?? 'this process'}`,
      ),
  }).run();
  console.log(
    `chosen sparsity ${result.search!.chosenSparsity.toFixed(3)}, validation accuracy ${result.val.accuracy.toFixed(4)}`,
  );
  result.model.dispose();
} finally {
  await queue?.close();
}
