/**
 * Whole training steps of a small conv net (conv + ReLU + max-pool + batch norm + dense) on the
 * wasm backend with condensa-ts's kernels against the cpu backend: same initial weights, same
 * batch, same optimizer, so any wrong or missing gradient kernel shows up as a different loss or
 * weight. Also checks that training leaks no tensors, and initBackend's argument validation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, wasmThreadCount } from '../src/backend/index.js';
import { defaultWasmThreads } from '../src/backend/wasm/threads.js';
import { InvalidArgumentError } from '../src/errors.js';

const STEPS = 4;
const BATCH = 16;

function buildNet(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [12, 12, 3],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }),
      tf.layers.conv2d({
        filters: 12,
        kernelSize: 3,
        strides: 1,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(2),
      }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
      tf.layers.batchNormalization({ epsilon: 1e-5, momentum: 0.9 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
}

/** Deterministic batch: inputs in [-1, 1] and one-hot labels, as plain arrays. */
function batch(): { xs: number[]; labels: number[] } {
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const xs = Array.from({ length: BATCH * 12 * 12 * 3 }, () => 2 * next() - 1);
  const labels = Array.from({ length: BATCH }, () => Math.floor(next() * 10));
  return { xs, labels };
}

interface Run {
  losses: number[];
  weights: Float32Array[];
  tensorsAfterEachStep: number[];
  /** The backend's own buffers after each step (catches leaks below the engine). */
  buffersAfterEachStep: number[];
  /** Tensors alive after the run minus before it. */
  leaked: number;
}

async function train(
  backend: string,
  initial: Float32Array[],
  shapes: number[][],
  optimizer: () => tf.Optimizer,
): Promise<Run> {
  await tf.setBackend(backend);
  const start = tf.memory().numTensors;
  const model = buildNet();
  const values = initial.map((v, i) => tf.tensor(v, shapes[i]));
  model.setWeights(values);
  tf.dispose(values);
  model.compile({ optimizer: optimizer(), loss: 'categoricalCrossentropy' });
  const { xs, labels } = batch();
  const x = tf.tensor4d(xs, [BATCH, 12, 12, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat());
  const losses: number[] = [];
  const tensorsAfterEachStep: number[] = [];
  const buffersAfterEachStep: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    losses.push((await model.trainOnBatch(x, y)) as number);
    tensorsAfterEachStep.push(tf.memory().numTensors);
    buffersAfterEachStep.push(tf.backend().numDataIds());
  }
  const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  tf.dispose([x, y]);
  model.optimizer.dispose();
  model.dispose();
  return {
    losses,
    weights,
    tensorsAfterEachStep,
    buffersAfterEachStep,
    leaked: tf.memory().numTensors - start,
  };
}

async function initialWeights(): Promise<{ values: Float32Array[]; shapes: number[][] }> {
  await tf.setBackend('cpu');
  const model = buildNet();
  const ws = model.getWeights();
  const out = { values: ws.map((w) => Float32Array.from(w.dataSync())), shapes: ws.map((w) => w.shape) };
  model.dispose();
  return out;
}

function relativeDifference(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += a[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('training on wasm matches the cpu backend', () => {
  it('SGD with momentum: same losses (1e-4) and weights (1e-4 relative), no leaked tensors', async () => {
    const { values, shapes } = await initialWeights();
    const sgd = () => tf.train.momentum(0.05, 0.9);
    const cpu = await train('cpu', values, shapes, sgd);
    const wasm = await train('wasm', values, shapes, sgd);
    // The net really learns on this batch (so a zero gradient could not pass unnoticed).
    expect(cpu.losses[STEPS - 1]).toBeLessThan(cpu.losses[0] - 0.1);
    for (let i = 0; i < STEPS; i++) expect(Math.abs(wasm.losses[i] - cpu.losses[i])).toBeLessThan(1e-4);
    for (let i = 0; i < values.length; i++) {
      expect(relativeDifference(cpu.weights[i], wasm.weights[i])).toBeLessThan(1e-4);
    }
    // Optimizer slots appear on the first step; after that the count must not grow.
    const counts = wasm.tensorsAfterEachStep;
    for (let i = 2; i < STEPS; i++) expect(counts[i]).toBe(counts[1]);
    for (let i = 2; i < STEPS; i++) expect(wasm.buffersAfterEachStep[i]).toBe(wasm.buffersAfterEachStep[1]);
    // The first model on a backend may leave tfjs-layers' cached scalars behind (at most a few).
    expect(wasm.leaked).toBeLessThanOrEqual(2);
  });

  it('Adam: same losses (1e-4); weights within a bounded drift', async () => {
    const { values, shapes } = await initialWeights();
    const lr = 0.001;
    const adam = () => tf.train.adam(lr);
    const cpu = await train('cpu', values, shapes, adam);
    const wasm = await train('wasm', values, shapes, adam);
    // Second run on each backend: nothing at all may be left behind.
    expect(cpu.leaked).toBe(0);
    expect(wasm.leaked).toBe(0);
    expect(cpu.losses[STEPS - 1]).toBeLessThan(cpu.losses[0]);
    for (let i = 0; i < STEPS; i++) expect(Math.abs(wasm.losses[i] - cpu.losses[i])).toBeLessThan(1e-4);
    // Adam divides by sqrt(v): a gradient that is ~0 on one backend and ~1e-9 on the other (pure
    // rounding, e.g. conv biases feeding a batch norm) still moves its weight by up to lr per
    // step. So no weight may drift by more than STEPS * lr, and the bulk of each tensor must
    // still agree to 1e-3 relative.
    for (let i = 0; i < values.length; i++) {
      expect(maxAbsDifference(cpu.weights[i], wasm.weights[i])).toBeLessThanOrEqual(STEPS * lr * 1.01);
      expect(relativeDifference(cpu.weights[i], wasm.weights[i])).toBeLessThan(1e-3);
    }
  });
});

describe('wasm threads', () => {
  it('run on the requested number of threads (default: cores, at most 8) in Node', () => {
    // test/setup.ts initialised wasm with the default; tfjs alone would give 1 thread in Node.
    const wanted = process.env.CONDENSA_THREADS ? Number(process.env.CONDENSA_THREADS) : defaultWasmThreads();
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmThreadCount()).toBe(wanted);
  });

  it('falls back to 1 thread, with a note, when the threaded binary cannot start', () => {
    // A fresh process (the thread pool is fixed per process) whose worker scripts cannot be written.
    const dir = mkdtempSync(join(tmpdir(), 'condensa-threads-test-'));
    try {
      const script = join(dir, 'probe.mts'); // .mts: an ES module wherever it lives
      const index = resolve('src/backend/index.ts');
      writeFileSync(
        script,
        // Imports only project files: the temp dir has no node_modules of its own.
        `import { initBackend, wasmThreadCount } from ${JSON.stringify(index)};\n` +
          `const name = await initBackend({ backend: 'wasm', threads: 2 });\n` +
          `console.log('RESULT', name, wasmThreadCount());\n`,
      );
      const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
        encoding: 'utf8',
        env: { ...process.env, CONDENSA_WASM_TMP: '/proc/self', CONDENSA_THREADS: '' },
        timeout: 120_000,
      });
      expect(run.stdout).toContain('RESULT wasm 1');
      expect(run.stderr).toMatch(/cannot write wasm worker scripts .*using 1 thread/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('initBackend validation', () => {
  it('rejects an unknown backend name, naming the accepted ones', async () => {
    await expect(initBackend({ backend: 'webgpu' as never, announce: false })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(initBackend({ backend: 'webgpu' as never, announce: false })).rejects.toThrow(/'wasm'/);
  });

  it('rejects a thread count that is not a positive integer', async () => {
    for (const threads of [0, -2, 1.5, Number.NaN]) {
      await expect(initBackend({ backend: 'wasm', threads, announce: false })).rejects.toThrow(
        InvalidArgumentError,
      );
    }
    // A valid request still works and leaves wasm in place.
    await expect(initBackend({ backend: 'wasm', announce: false })).resolves.toBe('wasm');
  });
});
