import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNTHETIC_JOB } from '../bench/distributed/handlers.js';
import { searchInProcess, searchOnQueue } from '../bench/distributed/synthetic-search.js';
import { QueueJobError } from '../src/errors.js';
import { JobQueue, SAMPLE_JOB, type JobProvenance } from '../src/queue/index.js';
import { SAMPLE_LOG_NAME } from '../src/search/index.js';
import { spawnNode, spawnWorker, type Spawned } from './helpers/queue-processes.js';
import { startRedis, type TestRedis } from './helpers/redis-server.js';

// Three real worker processes on a real Redis serve every test of this file; each test uses its
// own synthetic seed, so no test finds another's finished jobs (job ids are the inputs' hash).
let redis: TestRedis;
let queue: JobQueue;
let workers: Spawned[] = [];

beforeAll(async () => {
  redis = await startRedis();
  workers = await Promise.all(['w1', 'w2', 'w3'].map((id) => spawnWorker(redis.url, id)));
  queue = await JobQueue.open({ redis: redis.url });
});

afterAll(async () => {
  await queue?.close();
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await redis?.stop();
});

const workerOf = (extra: Record<string, unknown>) => (extra.job as JobProvenance).workerId;
/** How many times each job id was finished by any worker, from the workers' own logs. */
const finishes = () => {
  const count = new Map<string, number>();
  for (const w of workers)
    for (const l of w.lines.filter((l) => l.startsWith(`finish ${SYNTHETIC_JOB} `))) {
      const id = l.split(' ')[2];
      count.set(id, (count.get(id) ?? 0) + 1);
    }
  return count;
};

describe('search samples as jobs on 3 worker processes', () => {
  it('chooses the same sparsity, from the same samples, as the in-process search with the same seed', async () => {
    const search = { seed: 1, budget: 8, batchSize: 3 };
    const local = await searchInProcess(search);
    const remote = await searchOnQueue(queue, { ...search, delayMs: 150 });
    expect(remote.best?.sparsity).toBe(local.best?.sparsity);
    expect(remote.samples.map((s) => s.density)).toEqual(local.samples.map((s) => s.density));
    expect(remote.samples.map((s) => s.accuracy)).toEqual(local.samples.map((s) => s.accuracy));
    // The batches were spread: more than one worker ran samples.
    expect(new Set(remote.samples.map((s) => workerOf(s.extra))).size).toBeGreaterThan(1);
    // Run again without any log: the seeded search asks for the same jobs, and Redis answers
    // them all from their recorded results, without a worker starting one.
    const started = workers.map((w) => w.lines.filter((l) => l.startsWith('start ')).length);
    const again = await searchOnQueue(queue, { ...search, delayMs: 150 });
    expect(again.samples.map((s) => s.extra)).toEqual(remote.samples.map((s) => s.extra));
    expect(workers.map((w) => w.lines.filter((l) => l.startsWith('start ')).length)).toEqual(started);
  });

  it('finishes a job on another worker when its worker is killed -9 mid-job, every sample once', async () => {
    const search = { seed: 2, budget: 6, batchSize: 2 };
    const local = await searchInProcess(search);
    const since = workers.map((w) => w.lines.length);
    const running = searchOnQueue(queue, { ...search, delayMs: 1500 });
    // The first worker to start a job of this search dies in the middle of it.
    const started = await Promise.race(
      workers.map((w, i) =>
        w.waitFor(new RegExp(`^start ${SYNTHETIC_JOB} `), { since: since[i] }).then((line) => ({ w, line })),
      ),
    );
    const killedJob = started.line.split(' ')[2];
    started.w.child.kill('SIGKILL');
    await started.w.exited;
    const remote = await running;
    expect(remote.samples.map((s) => s.density)).toEqual(local.samples.map((s) => s.density));
    expect(remote.best?.sparsity).toBe(local.best?.sparsity);
    const redone = remote.samples.find((s) => (s.extra.job as JobProvenance).jobId === killedJob);
    expect(redone, 'the killed job is one of the samples').toBeDefined();
    expect(workerOf(redone!.extra)).not.toBe(started.w.lines[0].split(' ')[1]);
    const ids = remote.samples.map((s) => (s.extra.job as JobProvenance).jobId);
    expect(new Set(ids).size).toBe(search.budget);
    for (const id of ids) expect(finishes().get(id), `job ${id} finished once`).toBe(1);
    workers = workers.filter((w) => w !== started.w);
  });

  it('resumes a coordinator killed -9 mid-search: no sample lost, none run twice', async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'condensa-coordinator-'));
    try {
      const search = { seed: 3, budget: 8, batchSize: 2 };
      const args = ['--import', 'tsx', 'bench/distributed/coordinator.ts', '--redis', redis.url];
      args.push('--seed', '3', '--budget', '8', '--batch', '2', '--delay', '400', '--run-dir', runDir);
      const first = spawnNode(args);
      // Kill it once two batches are logged and a worker has started a job of the third: that
      // job finishes while no coordinator waits for it.
      const log = join(runDir, SAMPLE_LOG_NAME);
      for (;;) {
        const text = await readFile(log, 'utf8').catch(() => '');
        if (text.split('\n').filter((l) => l.includes('"kind":"sample"')).length >= 4) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const since = workers.map((w) => w.lines.length);
      await Promise.race(
        workers.map((w, i) => w.waitFor(new RegExp(`^start ${SYNTHETIC_JOB} `), { since: since[i] })),
      );
      first.child.kill('SIGKILL');
      await first.exited;
      // What the killed coordinator had logged is what the next one replays; the rest (at least
      // the job in flight) it must collect from Redis or run, each exactly once.
      const loggedAtKill = (await readFile(log, 'utf8'))
        .split('\n')
        .filter((l) => l.includes('"kind":"sample"')).length;
      expect(loggedAtKill).toBeGreaterThanOrEqual(4);
      expect(loggedAtKill).toBeLessThan(search.budget);
      const second = spawnNode(args);
      expect(await second.exited).toBe(0);
      const out = JSON.parse(second.lines.at(-1)!) as {
        chosenSparsity: number;
        samples: { density: number; replayed: boolean; jobId: string }[];
      };
      const local = await searchInProcess(search);
      expect(out.samples.map((s) => s.density)).toEqual(local.samples.map((s) => s.density));
      expect(out.chosenSparsity).toBe(local.best?.sparsity);
      expect(out.samples.filter((s) => s.replayed).length).toBe(loggedAtKill);
      for (const s of out.samples) expect(finishes().get(s.jobId), `job ${s.jobId} ran once`).toBe(1);
      const logged = (await readFile(log, 'utf8')).trim().split('\n').slice(1);
      expect(logged.map((l) => JSON.parse(l).sample.index)).toEqual(out.samples.map((_, i) => i));
    } finally {
      await rm(runDir, { recursive: true, force: true });
    }
  });

  it('fails a poisoned job (invalid spec) once, with a clear error, without blocking the queue', async () => {
    const poisoned = queue.run(SAMPLE_JOB, { scheme: { scheme: 'NoSuchScheme', density: 0.5 } });
    const healthy = queue.run(SYNTHETIC_JOB, { seed: 4, density: 0.5 });
    const error = await poisoned.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueueJobError);
    expect((error as Error).message).toMatch(/invalid sample job: .*NoSuchScheme/);
    const job = await Job.fromId(queue.queue, (error as QueueJobError).jobId);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(Number.isFinite((await healthy).accuracy)).toBe(true);
    // The failure is recorded: asking again answers from Redis, without running it again.
    await expect(queue.run(SAMPLE_JOB, { scheme: { scheme: 'NoSuchScheme', density: 0.5 } })).rejects.toThrow(
      /NoSuchScheme/,
    );
    const failures = workers.flatMap((w) => w.lines).filter((l) => l.startsWith(`fail ${SAMPLE_JOB} `));
    expect(failures).toHaveLength(1);
  });

  it('finishes the job in progress on SIGTERM, then exits cleanly', async () => {
    const since = workers.map((w) => w.lines.length);
    const running = queue.run(SYNTHETIC_JOB, { seed: 5, density: 0.5, delayMs: 1000 });
    const started = await Promise.race(
      workers.map((w, i) =>
        w.waitFor(new RegExp(`^start ${SYNTHETIC_JOB} `), { since: since[i] }).then(() => w),
      ),
    );
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    const result = await running;
    expect(workerOf(result)).toBe(started.lines[0].split(' ')[1]);
    expect(started.lines.at(-1)).toMatch(/stopped$/);
  });
});
