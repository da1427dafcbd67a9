import { JobQueue, type JobProvenance } from '../../src/queue/index.js';
import { spawnWorker, type Spawned } from '../../test/helpers/queue-processes.js';
import { startRedis } from '../../test/helpers/redis-server.js';
import { FIXED_COST_JOB, handlers, type FixedCostJob } from './handlers.js';
import { searchOnQueue } from './synthetic-search.js';

/**
 * Samples per hour with 1, 2 and 4 `condensa worker` processes for a fixed-cost sample (about one
 * second of single-core arithmetic), and the coordination overhead per sample of a q = 1 search
 * on one worker: enqueue -> start, and finish -> next proposal enqueued (result delivery, GP
 * fits, the next add). A throw-away Redis on loopback. `npx tsx bench/distributed/throughput.ts`
 */
const JOBS = 16;

// Calibrate the fixed cost to ~1 s on one core of this machine.
const probe = 2_000_000;
let t = performance.now();
await handlers[FIXED_COST_JOB]({ iterations: probe, index: -1 } satisfies FixedCostJob, {
  jobId: 'calibration',
  workerId: 'bench',
  attempt: 1,
});
const iterations = Math.round((probe * 1000) / (performance.now() - t));
console.log(`fixed cost: ${iterations} iterations (~1 s on one core)`);

const redis = await startRedis();
const queue = await JobQueue.open({ redis: redis.url });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
try {
  console.log('\n| workers | jobs | wall s | samples per hour | speed-up |');
  console.log('|---|---|---|---|---|');
  let one = 0;
  for (const n of [1, 2, 4]) {
    const workers: Spawned[] = await Promise.all(
      Array.from({ length: n }, (_, i) => spawnWorker(redis.url, `bench-${n}-${i}`, { fastFailover: false })),
    );
    t = performance.now();
    await Promise.all(
      Array.from({ length: JOBS }, (_, i) =>
        queue.run(FIXED_COST_JOB, { iterations, index: n * 1000 + i } satisfies FixedCostJob),
      ),
    );
    const wall = (performance.now() - t) / 1000;
    const perHour = (JOBS / wall) * 3600;
    if (n === 1) one = perHour;
    console.log(
      `| ${n} | ${JOBS} | ${wall.toFixed(1)} | ${perHour.toFixed(0)} | ${(perHour / one).toFixed(2)} |`,
    );
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  }

  const worker = await spawnWorker(redis.url, 'bench-overhead');
  const toStart: number[] = [];
  const toNext: number[] = [];
  for (const seed of [11, 12, 13, 14, 15, 16]) {
    const r = await searchOnQueue(queue, { seed, budget: 16, batchSize: 1, delayMs: 0 });
    const jobs = r.samples.map((s) => s.extra.job as JobProvenance);
    toStart.push(...jobs.map((j) => j.startedAt - j.enqueuedAt));
    toNext.push(...jobs.slice(1).map((j, i) => j.enqueuedAt - jobs[i].finishedAt));
  }
  console.log(
    `\n| overhead per sample (q = 1, one worker, ${toStart.length} samples of 6 searches) | median ms | p90 ms |`,
  );
  console.log('|---|---|---|');
  console.log(`| enqueue -> start on the worker | ${median(toStart)} | ${p90(toStart)} |`);
  console.log(`| finish on the worker -> next sample enqueued | ${median(toNext)} | ${p90(toNext)} |`);
  worker.child.kill('SIGTERM');
  await worker.exited;
} finally {
  await queue.close();
  await redis.stop();
}
