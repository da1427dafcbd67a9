/**
 * Every kernel condensa-ts registers for wasm (src/backend/wasm) against the cpu backend's
 * reference implementation, on several shapes, strides, paddings and dilations. Inputs are
 * plain arrays from a seeded generator, so both backends see identical data.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackTensors } from './helpers/leaks.js';
import { backpropFilterStrategy } from '../src/backend/wasm/conv2d-backprop-filter.js';
import { backpropInputStrategy } from '../src/backend/wasm/conv2d-backprop-input.js';
import { WASM_TRAINING_KERNELS } from '../src/backend/wasm/register.js';

/** Deterministic N(0,1) values (Box-Muller over a 32-bit LCG). */
function normals(count: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}

type Input = { shape: number[]; values: Float32Array | Int32Array; dtype?: 'float32' | 'int32' };

function input(shape: number[], seed: number, map: (v: number) => number = (v) => v): Input {
  return { shape, values: normals(tf.util.sizeFromShape(shape), seed).map(map) };
}

/** Run kernel `name` on `backend` and return its first output's values. */
async function runOn(
  backend: string,
  name: string,
  inputs: Record<string, Input>,
  attrs: tf.NamedAttrMap,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  const leaks = trackTensors();
  // Composed kernels create intermediates below the engine: count the backend's own buffers too.
  const buffersBefore = tf.backend().numDataIds();
  const tensors: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(inputs))
    tensors[k] = tf.tensor(v.values, v.shape, v.dtype ?? 'float32');
  const raw = tf.engine().runKernel(name, tensors, attrs) as tf.Tensor | tf.Tensor[];
  const out = Array.isArray(raw) ? raw : [raw];
  const result = { shape: out[0].shape, values: Float32Array.from(out[0].dataSync()) };
  tf.dispose(out);
  tf.dispose(Object.values(tensors));
  leaks.check();
  expect(tf.backend().numDataIds()).toBe(buffersBefore);
  return result;
}

function relativeError(ref: Float32Array, got: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (ref[i] - got[i]) ** 2;
    den += ref[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

async function expectSameAsCpu(
  name: string,
  inputs: Record<string, Input>,
  attrs: tf.NamedAttrMap,
  reference?: () => Promise<{ shape: number[]; values: Float32Array }>,
): Promise<void> {
  const ref = reference ? await reference() : await runOn('cpu', name, inputs, attrs);
  const got = await runOn('wasm', name, inputs, attrs);
  expect(got.shape).toEqual(ref.shape);
  expect(got.values.length).toBe(ref.values.length);
  // A zero reference would make any error "relative 0 / 0": require a non-trivial gradient.
  expect(ref.values.some((v) => v !== 0)).toBe(true);
  expect(relativeError(ref.values, got.values)).toBeLessThan(1e-5);
}

/**
 * The cpu backend's depthwise backprop kernels ignore dilation (tfjs 4.22.0; tfjs's gradient
 * never calls them with dilation > 1), so for dilation > 1 the reference is built from the
 * forward depthwise conv, which is linear in x and in the filter: d/dv_i sum(conv * dy) =
 * sum(conv(with v = e_i) * dy), one forward conv per element, on the cpu backend.
 */
async function depthwiseByLinearity(
  wrt: 'filter' | 'x',
  x: Input,
  filter: Input,
  dy: Input,
  attrs: { strides: number[]; dilations: number[]; pad: 'same' | 'valid' },
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend('cpu');
  const target = wrt === 'filter' ? filter : x;
  const size = tf.util.sizeFromShape(target.shape);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    values[i] = tf.tidy(() => {
      const basis = new Float32Array(size);
      basis[i] = 1;
      const xs = tf.tensor4d(wrt === 'x' ? basis : x.values, x.shape as never);
      const fs = tf.tensor4d(wrt === 'filter' ? basis : filter.values, filter.shape as never);
      const y = tf.depthwiseConv2d(
        xs,
        fs,
        attrs.strides as never,
        attrs.pad,
        'NHWC',
        attrs.dilations as never,
      );
      return y.mul(tf.tensor(dy.values, dy.shape)).sum().dataSync()[0];
    });
  }
  return { shape: target.shape, values };
}

/** Forward conv output size, for building dy of the right shape. */
function convOut(size: number, k: number, stride: number, pad: 'same' | 'valid', dilation = 1): number {
  const eff = (k - 1) * dilation + 1;
  return pad === 'same' ? Math.ceil(size / stride) : Math.floor((size - eff) / stride) + 1;
}

const CONV_CASES: { x: [number, number, number, number]; k: [number, number]; co: number }[] = [
  { x: [2, 9, 9, 3], k: [3, 3], co: 4 },
  { x: [3, 8, 7, 5], k: [2, 3], co: 6 },
  { x: [1, 12, 11, 16], k: [5, 5], co: 8 },
  // Window (2*2*2 = 8) smaller than the output channels: the filter gradient's dy^T x cols form.
  { x: [2, 8, 8, 2], k: [2, 2], co: 16 },
];

let leaks = trackTensors();
beforeAll(() => {
  leaks = trackTensors();
});
afterAll(async () => {
  await tf.setBackend('wasm');
  leaks.check();
});

describe('wasm training kernels', () => {
  it('are registered for wasm and the default backend is wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
    for (const name of WASM_TRAINING_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(WASM_TRAINING_KERNELS).toContain('Conv2DBackpropFilter');
    expect(WASM_TRAINING_KERNELS).toContain('MaxPoolGrad');
  });

  for (const { x, k, co } of CONV_CASES) {
    for (const stride of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        const [n, h, w, ci] = x;
        const dyShape = [n, convOut(h, k[0], stride, pad), convOut(w, k[1], stride, pad), co];
        const tag = `x ${x.join('x')} k ${k.join('x')} co ${co} stride ${stride} ${pad}`;
        for (const path of ['conv', 'gemm'] as const) {
          it(`Conv2DBackpropFilter (${path} path) ${tag}`, async () => {
            backpropFilterStrategy.force = path;
            try {
              await expectSameAsCpu(
                'Conv2DBackpropFilter',
                { x: input(x, 1), dy: input(dyShape, 2) },
                { strides: [stride, stride], pad, dataFormat: 'NHWC', filterShape: [k[0], k[1], ci, co] },
              );
            } finally {
              backpropFilterStrategy.force = undefined;
            }
          });
        }
        for (const path of ['conv', 'gemm'] as const) {
          it(`Conv2DBackpropInput (${path} path) ${tag}`, async () => {
            backpropInputStrategy.force = path;
            try {
              await expectSameAsCpu(
                'Conv2DBackpropInput',
                { dy: input(dyShape, 2), filter: input([k[0], k[1], ci, co], 5) },
                { strides: [stride, stride], pad, dataFormat: 'NHWC', inputShape: x },
              );
            } finally {
              backpropInputStrategy.force = undefined;
            }
          });
        }
      }
    }
  }

  // tfjs's own depthwise gradient refuses dilation > 1, but the kernels take it: test both.
  for (const { x, k, m } of [
    { x: [2, 9, 9, 3] as [number, number, number, number], k: [3, 3], m: 1 },
    { x: [3, 8, 7, 4] as [number, number, number, number], k: [2, 3], m: 2 },
  ]) {
    for (const [stride, dilation] of [
      [1, 1],
      [2, 1],
      [1, 2],
    ]) {
      for (const pad of ['same', 'valid'] as const) {
        const [n, h, w, c] = x;
        const dyShape = [
          n,
          convOut(h, k[0], stride, pad, dilation),
          convOut(w, k[1], stride, pad, dilation),
          c * m,
        ];
        const attrs = { strides: [stride, stride], dilations: [dilation, dilation], pad };
        const tag = `x ${x.join('x')} k ${k.join('x')} multiplier ${m} stride ${stride} dilation ${dilation} ${pad}`;
        const xIn = input(x, 6);
        const dyIn = input(dyShape, 7);
        const fIn = input([k[0], k[1], c, m], 8);
        const byLinearity = (wrt: 'filter' | 'x') =>
          dilation > 1 ? () => depthwiseByLinearity(wrt, xIn, fIn, dyIn, attrs) : undefined;
        it(`DepthwiseConv2dNativeBackpropFilter ${tag}`, async () => {
          await expectSameAsCpu(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: xIn, dy: dyIn },
            { ...attrs, filterShape: fIn.shape },
            byLinearity('filter'),
          );
        });
        it(`DepthwiseConv2dNativeBackpropInput ${tag}`, async () => {
          await expectSameAsCpu(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: dyIn, filter: fIn },
            { ...attrs, inputShape: x },
            byLinearity('x'),
          );
        });
      }
    }
  }

  for (const [a, b] of [
    [
      [7, 5],
      [5, 6],
    ],
    [
      [3, 4, 5],
      [3, 5, 2],
    ],
    [
      [1, 4, 5],
      [3, 5, 2],
    ],
    // Few rows against a big B^T: computed as (B x A^T)^T.
    [
      [2, 8],
      [8, 16],
    ],
    [
      [3, 2, 8],
      [3, 8, 16],
    ],
  ]) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const aShape = transposeA ? [...a.slice(0, -2), a[a.length - 1], a[a.length - 2]] : a;
        const bShape = transposeB ? [...b.slice(0, -2), b[b.length - 1], b[b.length - 2]] : b;
        it(`BatchMatMul ${aShape} x ${bShape} transposeA ${transposeA} transposeB ${transposeB}`, async () => {
          await expectSameAsCpu(
            'BatchMatMul',
            { a: input(aShape, 9), b: input(bShape, 10) },
            { transposeA, transposeB },
          );
        });
      }
    }
  }

  for (const [shape, reps] of [
    [
      [1, 1, 1, 5],
      [2, 3, 4, 1],
    ],
    [
      [2, 3],
      [3, 2],
    ],
    [
      [2, 1, 3],
      [1, 4, 2],
    ],
    [[3], [4]],
    [
      [2, 3, 1, 2, 2],
      [2, 2, 3, 2, 1],
    ],
  ]) {
    it(`Tile ${shape} reps ${reps}`, async () => {
      await expectSameAsCpu('Tile', { x: input(shape, 11) }, { reps });
    });
  }

  for (const name of ['Sum', 'Mean']) {
    for (const [shape, axis] of [
      [[6, 5], [0]],
      [
        [4, 5, 6, 7],
        [0, 1, 2],
      ],
      [[4, 5, 6, 7], [0]],
      [
        [4, 5, 6, 7],
        [1, 2],
      ],
      [[4, 5, 6], [-1]],
      [
        [64, 15, 15, 8],
        [0, 1, 2],
      ],
      [
        [3, 4],
        [0, 1],
      ],
    ]) {
      for (const keepDims of [false, true]) {
        it(`${name} ${shape} axis ${axis} keepDims ${keepDims}`, async () => {
          await expectSameAsCpu(name, { x: input(shape, 12) }, { axis, keepDims });
        });
      }
    }
  }

  for (const shape of [
    [4, 5, 6, 7],
    [9, 7],
  ]) {
    for (const affine of [true, false]) {
      it(`FusedBatchNorm ${shape} ${affine ? 'with' : 'without'} scale and offset`, async () => {
        const C = shape[shape.length - 1];
        const inputs: Record<string, Input> = {
          x: input(shape, 13),
          mean: input([C], 14),
          variance: input([C], 15, (v) => v * v + 0.1),
        };
        if (affine) {
          inputs.offset = input([C], 16);
          inputs.scale = input([C], 17);
        }
        await expectSameAsCpu('FusedBatchNorm', inputs, { varianceEpsilon: 1e-3 });
      });
    }
  }

  it('Identity and same-dtype Cast share the data (no copy); other casts convert', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1.7, -2.2, 3.5], [3]);
    const buffers = tf.backend().numDataIds();
    const reshaped = x.reshape([3, 1]);
    const copies = [tf.clone(x), tf.cast(x, 'float32'), reshaped.clone()];
    expect(tf.backend().numDataIds()).toBe(buffers);
    const asInt = tf.cast(x, 'int32');
    expect(tf.backend().numDataIds()).toBe(buffers + 1);
    expect(Array.from(asInt.dataSync())).toEqual([1, -2, 3]);
    // Disposing the original leaves the sharing tensors readable.
    x.dispose();
    expect(Array.from(copies[0].dataSync())).toEqual(Array.from(new Float32Array([1.7, -2.2, 3.5])));
    tf.dispose([...copies, asInt, reshaped]);
  });

  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    it(`Cast float32 -> ${dtype} and Identity`, async () => {
      const x = input([4, 5], 18, (v) => (v > 0.5 ? 0 : v * 3));
      await expectSameAsCpu('Cast', { x }, { dtype });
      await expectSameAsCpu('Identity', { x }, {});
    });
  }

  const POOL_INPUTS: Record<string, (v: number) => number> = {
    'N(0,1)': (v) => v,
    'all-negative': (v) => -Math.abs(v) - 0.01,
    'after ReLU (all-zero windows)': (v) => Math.max(0, v - 0.8),
  };
  const POOLS = [
    { filter: 2, stride: 2 },
    { filter: 3, stride: 2 },
    { filter: 3, stride: 1 },
    { filter: 2, stride: 1 },
  ];
  for (const shape of [
    [2, 8, 8, 3],
    [3, 7, 9, 4],
  ]) {
    for (const { filter, stride } of POOLS) {
      for (const pad of ['same', 'valid'] as const) {
        for (const [kind, map] of Object.entries(POOL_INPUTS)) {
          it(`MaxPoolGrad x ${shape.join('x')} filter ${filter} stride ${stride} ${pad} ${kind}`, async () => {
            const xIn = input(shape, 3, map);
            // The forward max pool (correct on wasm) from the cpu backend, as the kernel's `output`.
            await tf.setBackend('cpu');
            const y = tf.tidy(() => tf.maxPool(tf.tensor4d(xIn.values, shape as never), filter, stride, pad));
            const out: Input = { shape: y.shape, values: Float32Array.from(y.dataSync()) };
            y.dispose();
            await expectSameAsCpu(
              'MaxPoolGrad',
              { dy: input(out.shape, 4), input: xIn, output: out },
              { filterSize: [filter, filter], strides: [stride, stride], pad },
            );
          });
        }
      }
    }
  }
});
