import { parseArgs } from 'node:util';
import { JobQueue } from '../../src/queue/job-queue.js';
import { searchOnQueue } from './synthetic-search.js';

/**
 * A search coordinator as its own process (what the restart test kills):
 * `npx tsx bench/distributed/coordinator.ts --redis URL --seed 3 --budget 8 --batch 2 --run-dir DIR --delay 300`.
 * Prints the search's samples as one JSON line at the end.
 */
const { values } = parseArgs({
  options: {
    redis: { type: 'string' },
    seed: { type: 'string', default: '0' },
    budget: { type: 'string', default: '8' },
    batch: { type: 'string', default: '1' },
    'run-dir': { type: 'string' },
    delay: { type: 'string', default: '0' },
  },
});
if (!values.redis) throw new Error('--redis redis://HOST:PORT is required');
const queue = await JobQueue.open({ redis: values.redis });
try {
  const result = await searchOnQueue(queue, {
    seed: Number(values.seed),
    budget: Number(values.budget),
    batchSize: Number(values.batch),
    runDir: values['run-dir'],
    delayMs: Number(values.delay),
  });
  console.log(
    JSON.stringify({
      chosenSparsity: result.best?.sparsity ?? null,
      samples: result.samples.map((s) => ({
        index: s.index,
        density: s.density,
        accuracy: s.accuracy,
        replayed: s.replayed,
        jobId: (s.extra.job as { jobId: string }).jobId,
      })),
    }),
  );
} finally {
  await queue.close();
}
