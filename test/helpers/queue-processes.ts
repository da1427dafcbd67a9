import { spawn, type ChildProcess } from 'node:child_process';

/** A spawned process whose stdout lines are kept, with a way to wait for one. */
export interface Spawned {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first matching line from line `since` on (default 0: any line, old or new). */
  waitFor(match: RegExp, opts?: { since?: number; timeoutMs?: number }): Promise<string>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** Spawn `node <args>` from the repository root, collecting its output. */
export function spawnNode(args: string[]): Spawned {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  const waiters: { match: RegExp; resolve: (l: string) => void }[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.match.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((r) =>
    child.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    lines,
    exited,
    waitFor: (match, { since = 0, timeoutMs = 30_000 } = {}) => {
      const seen = lines.slice(since).find((l) => match.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${match} within ${timeoutMs} ms; stderr:\n${stderr}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}

/**
 * A `condensa worker` process serving the distributed bench's job kinds too, by default with
 * short lock and stalled-check times so a killed worker's job moves on within about a second
 * (`fastFailover: false`: BullMQ's 30 s, for CPU-bound jobs on a loaded machine).
 */
export async function spawnWorker(
  redis: string,
  id: string,
  { fastFailover = true }: { fastFailover?: boolean } = {},
): Promise<Spawned> {
  // The CLI from source (bin/condensa.js would prefer a stale dist/ build when there is one).
  const w = spawnNode([
    '--import',
    'tsx',
    'src/cli/main.ts',
    'worker',
    '--redis',
    redis,
    '--id',
    id,
    '--handlers',
    'bench/distributed/handlers.ts',
    ...(fastFailover ? ['--lock-duration', '2500', '--stalled-interval', '1000'] : []),
  ]);
  await w.waitFor(/serving queue/);
  return w;
}
