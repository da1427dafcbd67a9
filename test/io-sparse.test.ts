import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.js';
import {
  decodeSparseArtifacts,
  decodeSparseEntry,
  encodeSparseEntry,
  loadModel,
  saveModel,
  serializeModel,
  SPARSE_MODEL_JSON,
  SPARSE_WEIGHTS_BIN,
  WEIGHTS_BIN,
  type SparseModelJSON,
} from '../src/io/index.js';
import { loadPretrained } from '../src/models/index.js';
import { clearPruning } from '../src/pruning/state.js';
import { modelBytes } from '../src/objectives/index.js';
import { Compose, Prune, Quantize } from '../src/schemes/index.js';
import { trackTensors } from './helpers/leaks.js';

const root = mkdtempSync(join(tmpdir(), 'condensa-sparse-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bytesOf = (a: Float32Array | Uint16Array | Uint8Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('sparse entry encoding', () => {
  it('round-trips float32 bytes, with gaps of 1, 2 and 3 varint bytes', () => {
    const n = 40_000;
    const values = new Float32Array(n);
    // Gaps 0, 0, 126, 127 (one byte each), 128, 16383 (two), 16384 (three), 6844 (two).
    for (const i of [0, 1, 128, 256, 385, 16769, 33154, n - 1]) values[i] = i % 2 ? -i : i + 0.5;
    const spec = { name: 'w', shape: [200, 200], dtype: 'float32' as const };
    const { spec: sparse, bytes } = encodeSparseEntry(spec, bytesOf(values));
    expect(sparse.sparse).toEqual({ count: 8, indexBytes: 1 + 1 + 1 + 1 + 2 + 2 + 3 + 2 });
    expect(bytes.length).toBe(13 + 8 * 4);
    expect(decodeSparseEntry(sparse, bytes)).toEqual(bytesOf(values));
  });

  it('keeps a mostly-nonzero tensor dense, and treats an all-zero one as zero elements', () => {
    const spec = { name: 'w', shape: [6], dtype: 'float32' as const };
    const dense = bytesOf(new Float32Array([1, 2, 0, 3, 4, 5]));
    const kept = encodeSparseEntry(spec, dense);
    expect(kept.spec.sparse).toBeUndefined();
    expect(kept.bytes).toBe(dense);
    const zeros = encodeSparseEntry(spec, bytesOf(new Float32Array(6)));
    expect(zeros.spec.sparse).toEqual({ count: 0, indexBytes: 0 });
    expect(decodeSparseEntry(zeros.spec, zeros.bytes)).toEqual(bytesOf(new Float32Array(6)));
  });

  it("uses a uint8 entry's zero point, not byte 0, as its zero", () => {
    // scale 0.5, min -2: zero point 4. Bytes 0 decode to -2, a real value that must be kept.
    const spec = {
      name: 'w',
      shape: [8],
      dtype: 'float32' as const,
      quantization: { dtype: 'uint8' as const, scale: 0.5, min: -2 },
    };
    const dense = new Uint8Array([4, 4, 0, 4, 4, 4, 9, 4]);
    const { spec: s, bytes } = encodeSparseEntry(spec, dense);
    expect(s.sparse).toEqual({ count: 2, indexBytes: 2 });
    expect(Array.from(decodeSparseEntry(s, bytes))).toEqual(Array.from(dense));
  });

  it('rejects a corrupt index list with a message naming the weight', () => {
    const spec = {
      name: 'fc/kernel',
      shape: [4],
      dtype: 'float32' as const,
      sparse: { count: 1, indexBytes: 1 },
    };
    const value = bytesOf(new Float32Array([7]));
    expect(() => decodeSparseEntry(spec, new Uint8Array([9, ...value]))).toThrow(
      /'fc\/kernel'.*outside its 4/,
    );
    expect(() => decodeSparseEntry(spec, new Uint8Array([0x80, ...value]))).toThrow(/truncated/);
  });
});

/** LeNet-5 (MNIST, pretrained) under Condensa's memory scheme: 2% of the weights, float16. */
async function memorySchemeLenet(): Promise<tf.LayersModel> {
  const model = await loadPretrained('lenet5-mnist');
  new Compose([new Prune(0.02), new Quantize({ dtype: 'float16' })]).pi(model);
  return model;
}

describe("saveModel({ format: 'sparse' }) / loadModel", () => {
  it('saves a pruned float16 model losslessly, far smaller than the tfjs layout', async () => {
    const leaks = trackTensors();
    const dense = await loadPretrained('lenet5-mnist');
    const model = await memorySchemeLenet();
    const dir = join(root, 'memory');
    await saveModel(model, dir, { format: 'sparse' });
    // Not model.json: stock tfjs cannot mistake it for a standard model and load garbage.
    expect(readdirSync(dir).sort()).toEqual([SPARSE_MODEL_JSON, 'record.json', SPARSE_WEIGHTS_BIN].sort());
    const json = JSON.parse(readFileSync(join(dir, SPARSE_MODEL_JSON), 'utf8')) as SparseModelJSON;
    const fc = json.weightsManifest[0].weights.find((w) => w.name.endsWith('/kernel') && w.sparse);
    expect(fc?.quantization).toEqual({ dtype: 'float16' }); // the Quantize record, unasked

    const back = await loadModel(dir);
    const a = model.getWeights().map((w) => Array.from(w.dataSync(), (v) => v + 0)); // -0 -> 0
    const b = back.getWeights().map((w) => Array.from(w.dataSync()));
    expect(b).toEqual(a);
    const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 3);
    const ya = model.predict(x) as tf.Tensor;
    const yb = back.predict(x) as tf.Tensor;
    expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));

    // The benchmarks' ratio: gzip bytes of dense float32 / gzip bytes of the compressed weights.
    await saveModel(dense, join(root, 'dense'));
    await saveModel(model, join(root, 'memory-tfjs'));
    const gz = (p: string): number => gzipSync(readFileSync(p)).length;
    const denseGz = gz(join(root, 'dense', WEIGHTS_BIN));
    const tfjsRatio = denseGz / gz(join(root, 'memory-tfjs', WEIGHTS_BIN));
    const sparseRatio = denseGz / gz(join(dir, SPARSE_WEIGHTS_BIN));
    expect(sparseRatio).toBeGreaterThan(1.2 * tfjsRatio);
    expect(sparseRatio).toBeGreaterThan(40);
    // The size objective measures exactly the file saveModel writes.
    expect(await modelBytes({ format: 'sparse' }).measure(model)).toBe(
      readFileSync(join(dir, SPARSE_WEIGHTS_BIN)).length,
    );
    tf.dispose([x, ya, yb]);
    clearPruning(model);
    for (const m of [dense, model, back]) m.dispose();
    leaks.check();
  });

  it('stores -0 (a masked negative weight) as +0 in the tfjs layout too', async () => {
    const model = await loadPretrained('lenet5-mnist');
    new Prune(0.1).pi(model);
    const { weights, modelJson } = await serializeModel(model);
    const words = new Uint32Array(weights.buffer, weights.byteOffset, weights.byteLength / 4);
    expect(words.includes(0x80000000)).toBe(false);
    const kernel = model.getLayer('conv2').getWeights()[0].dataSync();
    expect(Array.from(kernel).some((v) => Object.is(v, -0))).toBe(true); // the case exists
    expect(modelJson.format).toBe('layers-model');
    clearPruning(model);
    model.dispose();
  });

  it('decodes in memory (the browser path) and detects corruption by checksum', async () => {
    const model = await memorySchemeLenet();
    const dir = join(root, 'corrupt');
    await saveModel(model, dir, { format: 'sparse' });
    const json = JSON.parse(readFileSync(join(dir, SPARSE_MODEL_JSON), 'utf8')) as SparseModelJSON;
    const bin = readFileSync(join(dir, SPARSE_WEIGHTS_BIN));
    const viaStock = await tf.loadLayersModel(tf.io.fromMemory(decodeSparseArtifacts(json, bin)));
    expect(viaStock.countParams()).toBe(model.countParams());
    expect(() => decodeSparseArtifacts(json, bin.subarray(0, bin.length - 1))).toThrow(/truncated|describes/);

    bin[10] ^= 0xff;
    writeFileSync(join(dir, SPARSE_WEIGHTS_BIN), bin);
    await expect(loadModel(dir)).rejects.toThrow(DataError);
    await expect(loadModel(dir)).rejects.toThrow(/sha256/);
    expect(existsSync(join(dir, 'model.json'))).toBe(false);
    viaStock.dispose();
    clearPruning(model);
    model.dispose();
  });
});
