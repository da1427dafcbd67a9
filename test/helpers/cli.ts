import { spawn, type ChildProcess } from 'node:child_process';

/** What a finished `condensa` process printed and returned. */
export interface CliRun {
  code: number | null;
  /** The signal that ended the process (a shell reports SIGINT as exit status 130). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// initBackend announces the backend on stderr; it is information, not part of an error.
const BANNER = /^condensa-ts: tfjs backend /;

/** stderr without the backend banner and blank lines: what the user reads as the error. */
export const errorLines = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => l.trim() !== '' && !BANNER.test(l));

/**
 * Start the real command line (the TypeScript sources through tsx's loader, as `npm run
 * condensa` does) in its own process; `onStart` gets the child (to send it a signal).
 */
export function condensa(args: string[], onStart?: (child: ChildProcess) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onStart?.(child);
  });
}
