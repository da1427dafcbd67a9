/**
 * Micro-timings of individual wasm kernels at seedNet shapes (width 0.25, batch 64): wasm's
 * original kernel against condensa-ts's replacement, to justify each replacement (the numbers
 * are quoted in the src/backend/wasm/*.ts headers).
 *
 *   CONDENSA_THREADS=1 npx tsx bench/train-throughput/kernel-timings.ts [conv|conv-width1|filter|pool|matmul|reduce]
 *
 * Prints wall and CPU time per call (CPU time, summed over threads, is the steadier figure on
 * a shared machine).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.js';
import { originalWasmKernel } from '../../src/backend/wasm/compose.js';
import { backpropFilterStrategy } from '../../src/backend/wasm/conv2d-backprop-filter.js';
import { backpropInputStrategy } from '../../src/backend/wasm/conv2d-backprop-input.js';

await initBackend({ backend: 'wasm' });

function time(label: string, run: () => tf.Tensor | tf.Tensor[], reps = 5): number {
  tf.dispose(run()); // warm-up
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const out = run();
    (Array.isArray(out) ? out[0] : out).dataSync();
    tf.dispose(out);
  }
  const ms = (performance.now() - t0) / reps;
  // CPU time (all threads) is less sensitive than wall time to other processes on the machine.
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / reps;
  console.log(
    `${label.padEnd(70)} ${ms.toFixed(2).padStart(9)} ms wall ${cpuMs.toFixed(2).padStart(9)} ms cpu`,
  );
  return ms;
}

/** Run wasm's own (pre-replacement) kernel `name` through the engine. */
/**
 * Fresh copies of the inputs for every call, as in training: XNNPACK caches an operator's packed
 * weights per tensor, so re-running on the same tensors would time a cache hit. The copy is
 * part of the timed call (one memory-bound pass per input; "copy only" lines show its cost).
 */
function withFreshInputs(inputs: tf.NamedTensorMap, run: (fresh: tf.NamedTensorMap) => tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const fresh: tf.NamedTensorMap = {};
    for (const [k, v] of Object.entries(inputs)) fresh[k] = v.dtype === 'float32' ? v.mul(1) : v.clone();
    return run(fresh);
  });
}

function original(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  const config = originalWasmKernel(name);
  if (!config) throw new Error(`no original wasm kernel ${name}`);
  const backend = tf.backend();
  return withFreshInputs(inputs, (fresh) =>
    tf
      .engine()
      .makeTensorFromTensorInfo(config.kernelFunc({ inputs: fresh, backend, attrs }) as tf.TensorInfo),
  );
}
const mine = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) =>
  withFreshInputs(inputs, (fresh) => tf.engine().runKernel(name, fresh, attrs) as tf.Tensor);
const copyOnly = (inputs: tf.NamedTensorMap) =>
  withFreshInputs(inputs, (fresh) => tf.addN(Object.values(fresh).map((t) => t.sum())));

const r = (shape: number[], seed = 1) => tf.randomNormal(shape, 0, 1, 'float32', seed);
const which = process.argv[2] ?? 'all';
const want = (k: string) => which === 'all' || which === k;

if (want('conv')) {
  for (const [x, f] of [
    [
      [64, 32, 32, 3],
      [3, 3, 3, 64],
    ],
    [
      [64, 15, 15, 64],
      [3, 3, 64, 128],
    ],
    [
      [64, 6, 6, 128],
      [3, 3, 128, 256],
    ],
  ]) {
    const xs = r(x);
    const fs = r(f, 2);
    const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] };
    const y = tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, 1, 'valid');
    const gflop = (2 * tf.util.sizeFromShape(y.shape) * f[0] * f[1] * f[2]) / 1e9;
    const fwd = time(`Conv2D forward x ${x}`, () => mine('Conv2D', { x: xs, filter: fs }, attrs));
    time(`   copy only (x, filter)`, () => copyOnly({ x: xs, filter: fs }));
    console.log(`   forward ${(gflop / (fwd / 1e3)).toFixed(1)} GFLOP/s`);
    const bf = time(`Conv2DBackpropFilter x ${x} (composed)`, () =>
      mine('Conv2DBackpropFilter', { x: xs, dy: y }, { ...attrs, filterShape: f }),
    );
    console.log(`   filter grad ${(gflop / (bf / 1e3)).toFixed(1)} GFLOP/s`);
    if (x[3] > 3) {
      time(`Conv2DBackpropInput x ${x} (wasm original)`, () =>
        original('Conv2DBackpropInput', { dy: y, filter: fs }, { ...attrs, inputShape: x }),
      );
      const bi = time(`Conv2DBackpropInput x ${x} (composed)`, () =>
        mine('Conv2DBackpropInput', { dy: y, filter: fs }, { ...attrs, inputShape: x }),
      );
      console.log(`   input grad ${(gflop / (bi / 1e3)).toFixed(1)} GFLOP/s`);
    }
    tf.dispose([xs, fs, y]);
  }
}

if (want('conv-width1')) {
  // seedNet width 1, batch 32: conv2 and conv3 input gradients (the GEMM + col2im path).
  for (const [x, f] of [
    [
      [32, 15, 15, 256],
      [3, 3, 256, 512],
    ],
    [
      [32, 6, 6, 512],
      [3, 3, 512, 1024],
    ],
  ]) {
    const xs = r(x);
    const fs = r(f, 2);
    const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', inputShape: x };
    const y = tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, 1, 'valid');
    time(
      `Conv2D forward x ${x} f ${f}`,
      () => tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, 1, 'valid'),
      2,
    );
    for (const path of ['conv', 'gemm'] as const) {
      backpropInputStrategy.force = path;
      time(
        `Conv2DBackpropInput x ${x} (${path} path)`,
        () => mine('Conv2DBackpropInput', { dy: y, filter: fs }, attrs),
        2,
      );
    }
    backpropInputStrategy.force = undefined;
    tf.dispose([xs, fs, y]);
  }
}

if (want('filter')) {
  // The filter gradient's two paths at seedNet's shapes (width 0.25 batch 64, width 1 batch 32).
  for (const [x, f] of [
    [
      [64, 32, 32, 3],
      [3, 3, 3, 64],
    ],
    [
      [64, 15, 15, 64],
      [3, 3, 64, 128],
    ],
    [
      [64, 6, 6, 128],
      [3, 3, 128, 256],
    ],
    [
      [32, 15, 15, 256],
      [3, 3, 256, 512],
    ],
  ]) {
    const xs = r(x);
    const fs = r(f, 2);
    const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], filterShape: f };
    const y = tf.conv2d(xs as tf.Tensor4D, fs as tf.Tensor4D, 1, 'valid');
    time(`Conv2D forward x ${x} f ${f}`, () => mine('Conv2D', { x: xs, filter: fs }, attrs), 3);
    for (const path of ['conv', 'gemm'] as const) {
      backpropFilterStrategy.force = path;
      time(
        `Conv2DBackpropFilter x ${x} (${path} path)`,
        () => mine('Conv2DBackpropFilter', { x: xs, dy: y }, attrs),
        3,
      );
    }
    backpropFilterStrategy.force = undefined;
    tf.dispose([xs, fs, y]);
  }
}

if (want('pool')) {
  for (const x of [
    [64, 30, 30, 64],
    [64, 13, 13, 128],
  ]) {
    const xs = r(x);
    const y = tf.maxPool(xs as tf.Tensor4D, 2, 2, 'valid');
    const attrs = { filterSize: [2, 2], strides: [2, 2], pad: 'valid' };
    time(`MaxPoolGrad x ${x} (wasm original, wrong)`, () =>
      original('MaxPoolGrad', { dy: y, input: xs, output: y }, attrs),
    );
    time(`MaxPoolGrad x ${x} (composed)`, () => mine('MaxPoolGrad', { dy: y, input: xs, output: y }, attrs));
    tf.dispose([xs, y]);
  }
}

if (want('matmul')) {
  for (const [a, b, ta, tb] of [
    [[64, 1024], [64, 512], true, false],
    [[64, 512], [1024, 512], false, true],
    [[64, 1024], [1024, 512], false, false],
    [[1, 64, 128], [1, 64, 10], true, false],
    // fc1 input gradient at width 1: dy x W^T with a big W, computed as (W x dy^T)^T.
    [[32, 2048], [4096, 2048], false, true],
  ] as [number[], number[], boolean, boolean][]) {
    const as = r(a);
    const bs = r(b, 2);
    const attrs = { transposeA: ta, transposeB: tb };
    time(`BatchMatMul ${a} x ${b} tA ${ta} tB ${tb} (wasm original)`, () =>
      original('BatchMatMul', { a: as, b: bs }, attrs),
    );
    time(`BatchMatMul ${a} x ${b} tA ${ta} tB ${tb} (current)`, () =>
      mine('BatchMatMul', { a: as, b: bs }, attrs),
    );
    tf.dispose([as, bs]);
  }
}

if (want('reduce')) {
  for (const [x, axis] of [
    [[64, 512], [0]],
    [
      [64, 30, 30, 64],
      [0, 1, 2],
    ],
    [
      [64, 15, 15, 64],
      [0, 1, 2],
    ],
    [[64, 10], [1]],
  ] as [number[], number[]][]) {
    const xs = r(x);
    for (const name of ['Sum', 'Mean']) {
      time(`${name} ${x} axis ${axis} (wasm original)`, () =>
        original(name, { x: xs }, { axis, keepDims: false }),
      );
      time(`${name} ${x} axis ${axis} (current)`, () => mine(name, { x: xs }, { axis, keepDims: false }));
    }
    tf.dispose(xs);
  }
  for (const [x, reps] of [
    [
      [1, 1, 1, 64],
      [64, 15, 15, 1],
    ],
    [
      [1, 1, 1, 256],
      [64, 2, 2, 1],
    ],
  ]) {
    const xs = r(x);
    time(`Tile ${x} reps ${reps} (wasm original)`, () => original('Tile', { x: xs }, { reps }));
    time(`Tile ${x} reps ${reps} (current)`, () => mine('Tile', { x: xs }, { reps }));
    tf.dispose(xs);
  }
  const x = r([64, 15, 15, 64]);
  const v = tf.ones([64]);
  const bn = { x, mean: v, variance: v, offset: v, scale: v };
  time(`FusedBatchNorm [64,15,15,64] (wasm original)`, () =>
    original('FusedBatchNorm', bn, { varianceEpsilon: 1e-5 }),
  );
  time(`FusedBatchNorm [64,15,15,64] (current)`, () => mine('FusedBatchNorm', bn, { varianceEpsilon: 1e-5 }));
}
