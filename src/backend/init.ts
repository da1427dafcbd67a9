import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../errors.js';
import { registerWasmTrainingKernels } from './wasm/register.js';
import {
  configureWasmThreads,
  disableWasmThreads,
  finishWasmThreadSetup,
  wasmBackendCreated,
  wasmThreads,
} from './wasm/threads.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface InitBackendOptions {
  /** Force a backend; default: env `CONDENSA_BACKEND`, else the fastest one available. */
  backend?: BackendName;
  /**
   * wasm threads (default: env `CONDENSA_THREADS`, else the number of cores, at most 8). Fixed
   * when the wasm backend is first created in the process; 1 uses the single-threaded binary.
   */
  threads?: number;
  /** Print the backend in use on stderr (once per process). Default true. */
  announce?: boolean;
}

let announced = false;

/**
 * Pick and initialise the tfjs backend condensa-ts trains on: `@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node` (used only when the user has installed one: their install downloads
 * libtensorflow, so neither is a dependency), then `@tensorflow/tfjs-backend-wasm` with the
 * training kernels it lacks registered, then `cpu`. Resolves to the backend's name.
 *
 * @example
 * ```ts
 * import { initBackend } from 'condensa-ts';
 * const name = await initBackend(); // 'wasm' on a machine without tfjs-node
 * ```
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<string> {
  const requested = opts.backend ?? (process.env.CONDENSA_BACKEND as BackendName | undefined);
  if (requested !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(requested)) {
    throw new InvalidArgumentError(
      `backend '${requested}' is not one of 'tensorflow', 'wasm', 'cpu' (check CONDENSA_BACKEND)`,
    );
  }
  const threadsEnv = process.env.CONDENSA_THREADS ? Number(process.env.CONDENSA_THREADS) : undefined;
  const threads = opts.threads ?? threadsEnv;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    const source =
      opts.threads !== undefined ? 'threads' : `CONDENSA_THREADS='${process.env.CONDENSA_THREADS}'`;
    throw new InvalidArgumentError(`${source}: wasm threads must be a positive integer, got ${threads}`);
  }

  const order: BackendName[] = requested ? [requested] : ['tensorflow', 'wasm', 'cpu'];
  const errors: string[] = [];
  for (const name of order) {
    try {
      if (await tryBackend(name, threads)) {
        if (opts.announce !== false && !announced) {
          announced = true;
          process.stderr.write(`condensa-ts: tfjs backend '${tf.getBackend()}'${describeThreads()}\n`);
        }
        return tf.getBackend();
      }
      errors.push(`${name}: not available`);
    } catch (e) {
      errors.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new InvalidArgumentError(`no tfjs backend could be initialised (${errors.join('; ')})`);
}

async function tryBackend(name: BackendName, threads: number | undefined): Promise<boolean> {
  if (tf.getBackend() === name && tf.findBackend(name)) return true;
  if (name === 'tensorflow') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await import(pkg);
      } catch {
        continue;
      }
      if (tf.findBackend('tensorflow') && (await tf.setBackend('tensorflow'))) return true;
    }
    return false;
  }
  if (name === 'wasm') {
    const fresh = !wasmBackendCreated();
    const wanted = await configureWasmThreads(threads);
    registerWasmTrainingKernels();
    let ok = false;
    let failure = '';
    try {
      ok = await tf.setBackend('wasm');
    } catch (e) {
      failure = (e as Error).message;
    }
    if (!ok && wanted > 1) {
      // The threaded binary could not start: retry with the single-threaded SIMD one.
      process.stderr.write(
        `condensa-ts: wasm with ${wanted} threads failed to start${failure ? ` (${failure})` : ''}; using 1 thread\n`,
      );
      await disableWasmThreads();
      ok = await tf.setBackend('wasm');
    }
    finishWasmThreadSetup();
    if (!ok) return false;
    await tf.ready();
    if (fresh && wanted > 1 && wasmThreads() !== wanted) {
      process.stderr.write(`condensa-ts: asked for ${wanted} wasm threads, running ${wasmThreads()}\n`);
    }
    return true;
  }
  const ok = await tf.setBackend('cpu');
  await tf.ready();
  return ok;
}

function describeThreads(): string {
  if (tf.getBackend() !== 'wasm') return '';
  const n = wasmThreadCount();
  return ` (${n} thread${n === 1 ? '' : 's'})`;
}

/**
 * Threads the wasm backend runs on: the size of its XNNPACK thread pool (1 when it runs
 * single-threaded, was started without threads, or is not initialised).
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'wasm', threads: 2 });
 * wasmThreadCount(); // 2 (tfjs alone would use 1 in Node)
 * ```
 */
export function wasmThreadCount(): number {
  return wasmThreads();
}
