/**
 * Multithreaded wasm in Node.
 *
 * tfjs-backend-wasm 4.22.0 never uses threads in Node: its `WASM_HAS_MULTITHREAD_SUPPORT` flag
 * returns false whenever `IS_NODE` (tfjs issue 3830). Forcing the flag alone fails because the
 * emscripten glue starts its pthread workers from `blob:` URLs (a Blob holding the worker
 * script, and a second Blob holding the module factory that each worker evaluates), and Node's
 * `worker_threads.Worker` accepts only file paths and file:/data: URLs, while the worker's
 * `importScripts` reads files with `fs.readFileSync`.
 *
 * What this module does, before the backend is created:
 * - sets the flag to true and calls the package's `setThreadsCount(n)`;
 * - while the backend initialises, records the text of every Blob constructed, so the two
 *   scripts can be written to real files (under the OS temp dir) instead of blob: URLs;
 * - wraps `worker_threads.Worker` so a worker asked for a blob: URL starts from that file, and
 *   its "load" message carries the factory's file path instead of the Blob; the factory is
 *   prefixed with the few bundler-renamed Node modules it refers to (fs, path, perf_hooks, os,
 *   the global object), which exist in the bundle's scope but not in a worker's;
 * - unreferences the workers, so that the thread pool (which lives as long as the process)
 *   does not keep Node from exiting.
 * If the threaded binary cannot start, the caller falls back to one thread.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

/** Most threads used by default: XNNPACK gains little beyond this on CNN-sized work. */
export const MAX_DEFAULT_THREADS = 8;

/** Default thread count: the machine's logical cores, at most MAX_DEFAULT_THREADS. */
export function defaultWasmThreads(): number {
  return Math.max(1, Math.min(cpus().length, MAX_DEFAULT_THREADS));
}

/** Names the emscripten factory uses for Node modules bound in the bundle's scope. */
const FACTORY_PRELUDE = [
  'var commonjsGlobal = globalThis;',
  "var require$$0 = require('fs');",
  "var require$$1 = require('path');",
  "var require$$3 = require('perf_hooks');",
  "var require$$4 = require('os');",
].join('\n');

const blobTexts = new WeakMap<Blob, string>();
const blobFiles = new Map<string, string>();
let hooksInstalled = false;
let recording = false;
/** Once the backend is up, workers are unreferenced so they never keep Node running. */
let detached = false;
const workers = new Set<{ unref(): void }>();
let restoreCpus: (() => void) | undefined;

/** Where the worker scripts go: env `CONDENSA_WASM_TMP`, else the OS temp dir. */
function scriptDir(): string {
  return process.env.CONDENSA_WASM_TMP || tmpdir();
}

/**
 * Whether worker scripts can be written. Checked before asking for threads: a worker that
 * cannot start leaves emscripten waiting forever, so failing here is the only clean fallback.
 */
function canWriteScripts(): boolean {
  const probe = join(scriptDir(), `condensa-wasm-probe-${process.pid}-${randomUUID().slice(0, 8)}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Write a script under the OS temp dir, named by a hash of its content, so every process shares
 * the same two files and nothing piles up (written atomically: temp file, then rename).
 */
function writeScript(text: string, prefix: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const file = join(scriptDir(), `condensa-wasm-${prefix}-${hash}.js`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.${randomUUID().slice(0, 8)}`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return file;
}

/** File holding a recorded Blob's script (the factory gets the prelude). */
function fileForBlob(blob: Blob): string | undefined {
  const text = blobTexts.get(blob);
  if (text === undefined) return undefined;
  let file = blobFiles.get(text);
  if (!file) {
    const isFactory = text.startsWith('var WasmBackendModuleThreadedSimd');
    file = writeScript(isFactory ? `${FACTORY_PRELUDE}\n${text}` : text, isFactory ? 'factory' : 'worker');
    blobFiles.set(text, file);
  }
  return file;
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;

  // Record the text of Blobs made from strings while the backend initialises.
  const NativeBlob = globalThis.Blob;
  class RecordingBlob extends NativeBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (recording && parts && parts.every((p) => typeof p === 'string'))
        blobTexts.set(this, parts.join(''));
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;

  // blob: URL -> the Blob it names, so the Worker wrapper can find the recorded text.
  const urlBlobs = new Map<string, Blob>();
  const nativeCreate = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj: Blob) => {
    const url = nativeCreate(obj);
    if (blobTexts.has(obj)) urlBlobs.set(url, obj);
    return url;
  };

  const workerThreads = require('node:worker_threads') as typeof import('node:worker_threads');
  const NativeWorker = workerThreads.Worker;
  class FileWorker extends NativeWorker {
    constructor(filename: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const blob = typeof filename === 'string' ? urlBlobs.get(filename) : undefined;
      if (blob && placeholdersLeft > 0) {
        // emscripten pre-starts a pool of 8 workers and hands out the last ones first; the
        // XNNPACK pool needs only threads - 1 of them. Stand-ins for the rest save ~120 ms of
        // CPU and ~20 MB each at start-up.
        placeholdersLeft--;
        return new PlaceholderWorker() as unknown as FileWorker;
      }
      const file = blob ? fileForBlob(blob) : undefined;
      super(file ?? filename, options);
      workers.add(this);
      if (detached) super.unref();
    }

    // The pool's threads live as long as the process: once the backend is up, never let them
    // keep Node running (emscripten re-references a worker whenever it starts a thread on it).
    override ref(): void {
      if (!detached) super.ref();
    }

    override postMessage(
      value: unknown,
      transferList?: Parameters<InstanceType<typeof NativeWorker>['postMessage']>[1],
    ): void {
      const msg = value as { cmd?: string; urlOrBlob?: unknown };
      if (msg && msg.cmd === 'load' && msg.urlOrBlob instanceof NativeBlob) {
        const file = fileForBlob(msg.urlOrBlob);
        if (file) msg.urlOrBlob = file;
      }
      super.postMessage(value, transferList);
    }
  }
  workerThreads.Worker = FileWorker as typeof NativeWorker;
}

/**
 * A pool worker that is never given a thread: it answers emscripten's "load" with "loaded" and
 * nothing else. emscripten's pool hands out its most recently created workers first, so the
 * placeholders (created first) are only reached if more threads start than were asked for.
 */
class PlaceholderWorker extends EventEmitter {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  postMessage(value: unknown): void {
    const msg = value as { cmd?: string };
    if (msg && msg.cmd === 'load') setImmediate(() => this.emit('message', { cmd: 'loaded' }));
    else if (msg && msg.cmd === 'run') {
      process.stderr.write('condensa-ts: wasm started more threads than configured (placeholder worker)\n');
    }
  }
  terminate(): Promise<number> {
    return Promise.resolve(0);
  }
  ref(): void {}
  unref(): void {}
}

/** Workers emscripten pre-starts in its pool (PThread.initMainThread in tfjs 4.22.0). */
const EMSCRIPTEN_POOL_SIZE = 8;
let placeholdersLeft = 0;

/**
 * Prepare the wasm backend to run on `threads` threads (default: cores, at most 8). Must run
 * before the wasm backend is first created; afterwards it changes nothing. Returns the thread
 * count requested.
 */
export async function configureWasmThreads(threads: number | undefined): Promise<number> {
  const wanted = threads ?? defaultWasmThreads();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (wasmBackendCreated()) return wanted; // already created: its thread count is fixed
  const writable = wanted > 1 && canWriteScripts();
  if (wanted > 1 && !writable) {
    process.stderr.write(
      `condensa-ts: cannot write wasm worker scripts under ${scriptDir()} (set CONDENSA_WASM_TMP); using 1 thread\n`,
    );
  }
  if (!writable) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
    return 1;
  }
  installHooks();
  placeholdersLeft = Math.max(0, EMSCRIPTEN_POOL_SIZE - (wanted - 1));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(wanted);
  recording = true;
  // tfjs's C++ init caps the pool at half of emscripten_num_logical_cores(), which in Node is
  // os.cpus().length (1 thread on a 2-core machine). Report twice the wanted count while the
  // backend initialises; finishWasmThreadSetup() restores os.cpus.
  const os = require('node:os') as { cpus: typeof cpus };
  if (!restoreCpus) {
    const nativeCpus = os.cpus;
    os.cpus = () => {
      const real = nativeCpus();
      return Array.from({ length: Math.max(real.length, 2 * wanted) }, (_, i) => real[i % real.length]);
    };
    restoreCpus = () => {
      os.cpus = nativeCpus;
      restoreCpus = undefined;
    };
  }
  return wanted;
}

/** Once the backend exists: stop recording Blobs and unreference the pool's workers. */
export function finishWasmThreadSetup(): void {
  recording = false;
  restoreCpus?.();
  detached = true;
  for (const w of workers) w.unref();
}

/** Reset to the single-threaded binary (after the threaded one failed to start). */
export async function disableWasmThreads(): Promise<void> {
  recording = false;
  restoreCpus?.();
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(1);
}

/**
 * Whether the wasm backend object exists. (Not tf.findBackend: that starts initialising it.)
 */
export function wasmBackendCreated(): boolean {
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  return registry.wasm != null;
}

/** Threads the initialised wasm backend runs on (1 when single-threaded or not initialised). */
export function wasmThreads(): number {
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  const backend = registry.wasm as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | null;
  const count = backend?.wasm?.tfjs?.getThreadsCount?.();
  return typeof count === 'number' && count > 0 ? count : 1;
}
