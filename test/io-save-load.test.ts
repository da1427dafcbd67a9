import * as tf from '@tensorflow/tfjs';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, InvalidArgumentError } from '../src/errors.js';
import { loadModel, readRecord, saveModel, toFloat16Bits, WEIGHTS_BIN } from '../src/io/index.js';
import { lenet5, vggNet } from '../src/models/index.js';
import { trackTensors } from './helpers/leaks.js';

const root = mkdtempSync(join(tmpdir(), 'condensa-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Load a saved directory with nothing but stock tfjs, to prove the format is standard. */
async function stockLoad(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const bin = readFileSync(join(dir, WEIGHTS_BIN));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
}

/** A small model with BN statistics and some exact zeros (as after pruning). */
function testModel(): tf.LayersModel {
  const model = vggNet({ width: 0.125, seed: 5 });
  tf.tidy(() => {
    const bn = model.getLayer('bn1_1');
    const [g, b, m, v] = bn.getWeights();
    bn.setWeights([g.add(0.5), b.add(0.1), m.add(0.2), v.mul(3)]);
    const fc = model.getLayer('fc1');
    const [k, bias] = fc.getWeights();
    fc.setWeights([k.mul(tf.randomUniform(k.shape, 0, 1, 'float32', 1).greater(0.5)), bias]);
  });
  return model;
}

function flat(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('saveModel / loadModel', () => {
  it('round-trips float32 weights exactly, readable by stock tf.loadLayersModel', async () => {
    const leaks = trackTensors();
    const model = testModel();
    const dir = join(root, 'f32');
    const res = await saveModel(model, dir, { record: { accuracy: 0.5 } });
    expect(readdirSync(dir).sort()).toEqual(['group1-shard1of1.bin', 'model.json', 'record.json']);
    const record = await readRecord(dir);
    expect(record).toMatchObject({ accuracy: 0.5, weights: { sha256: res.sha256, quantization: 'float32' } });
    for (const loaded of [await loadModel(dir), await stockLoad(dir)]) {
      const a = flat(model);
      const b = flat(loaded);
      expect(b.length).toBe(a.length);
      // Exact values; a pruned -0 is saved as +0 (equal in value, and it keeps zeros compressible).
      a.forEach((w, i) => expect(Array.from(b[i])).toEqual(Array.from(w, (v) => v + 0)));
      const same = tf.tidy(() => {
        const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 2);
        return tf
          .max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor)))
          .dataSync()[0];
      });
      expect(same).toBe(0);
      loaded.dispose();
    }
    model.dispose();
    leaks.check();
  });

  it('float16 and uint8 quantization decode within their error, zeros stay zero', async () => {
    const leaks = trackTensors();
    const model = testModel();
    const original = flat(model);
    const f32Bytes = (await saveModel(model, join(root, 'q32'))).weightsBytes;
    for (const q of ['float16', 'uint8'] as const) {
      const dir = join(root, q);
      const res = await saveModel(model, dir, { quantization: q });
      expect(res.weightsBytes).toBe(q === 'float16' ? f32Bytes / 2 : f32Bytes / 4);
      const specs = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].weights;
      expect(specs[0].quantization.dtype).toBe(q);
      const loaded = await stockLoad(dir);
      const decoded = flat(loaded);
      original.forEach((w, i) => {
        const spec = specs[i].quantization;
        for (let j = 0; j < w.length; j++) {
          // float16 keeps 11 significant bits; uint8 is within half a step of its grid.
          const bound = q === 'float16' ? Math.abs(w[j]) * 2 ** -11 + 2 ** -25 : spec.scale / 2 + 1e-7;
          expect(Math.abs(decoded[i][j] - w[j])).toBeLessThanOrEqual(bound);
          if (w[j] === 0) expect(decoded[i][j] === 0).toBe(true); // -0 counts as 0
        }
      });
      // A model's quantization must actually lose information in uint8 (the test can fail).
      if (q === 'uint8') expect(Array.from(decoded[0])).not.toEqual(Array.from(original[0]));
      loaded.dispose();
      (await loadModel(dir)).dispose();
    }
    model.dispose();
    leaks.check();
  });

  it('encodes float16 like IEEE binary16 (round to nearest even, subnormals, overflow)', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(1);
    expect(toFloat16Bits(2 ** -26)).toBe(0);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(toFloat16Bits(0.1)).toBe(0x2e66);
  });

  it('saves atomically: a failed save leaves neither partial files nor a damaged old model', async () => {
    const leaks = trackTensors();
    const model = lenet5({ seed: 1 });
    const parent = join(root, 'atomic');
    mkdirSync(parent);
    // A record that cannot be serialised fails after the weights were written to the temp dir.
    const bad = { record: { n: BigInt(1) } };
    await expect(saveModel(model, join(parent, 'm'), bad)).rejects.toThrow(/BigInt/);
    expect(readdirSync(parent)).toEqual([]);
    await saveModel(model, join(parent, 'm'));
    const good = readFileSync(join(parent, 'm', WEIGHTS_BIN));
    await expect(saveModel(model, join(parent, 'm'), { ...bad, overwrite: true })).rejects.toThrow(/BigInt/);
    expect(readdirSync(parent)).toEqual(['m']);
    expect(readFileSync(join(parent, 'm', WEIGHTS_BIN)).equals(good)).toBe(true);
    await expect(saveModel(model, join(parent, 'm'), { quantization: 'int4' as never })).rejects.toThrow(
      InvalidArgumentError,
    );
    model.dispose();
    leaks.check();
  });

  it('refuses to overwrite the directory a model was loaded from unless told to', async () => {
    const leaks = trackTensors();
    const dir = join(root, 'input');
    const model = lenet5({ seed: 2 });
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    await expect(saveModel(loaded, dir)).rejects.toThrow(/loaded from.*overwrite: true/);
    await expect(saveModel(model, dir)).rejects.toThrow(/not empty/);
    tf.tidy(() => {
      const fc = loaded.getLayer('fc3');
      fc.setWeights(fc.getWeights().map((w) => w.mul(0)));
    });
    await saveModel(loaded, dir, { overwrite: true });
    const again = await loadModel(dir);
    expect(Array.from(again.getLayer('fc3').getWeights()[0].dataSync()).every((v) => v === 0)).toBe(true);
    [model, loaded, again].forEach((m) => m.dispose());
    leaks.check();
  });

  it('rejects missing, unparseable, truncated and corrupted files with DataError', async () => {
    const leaks = trackTensors();
    const model = lenet5({ seed: 3 });
    const fresh = async (name: string) => {
      const dir = join(root, name);
      await saveModel(model, dir);
      return dir;
    };
    await expect(loadModel(join(root, 'nowhere'))).rejects.toThrow(DataError);
    let dir = await fresh('badjson');
    writeFileSync(join(dir, 'model.json'), '{"modelTopology": ');
    await expect(loadModel(dir)).rejects.toThrow(/model.json is not valid JSON/);
    dir = await fresh('truncated');
    truncateSync(join(dir, WEIGHTS_BIN), 1000);
    await expect(loadModel(dir)).rejects.toThrow(/hold 1000 bytes but the manifest describes 246824/);
    dir = await fresh('nobin');
    rmSync(join(dir, WEIGHTS_BIN));
    await expect(loadModel(dir)).rejects.toThrow(/group1-shard1of1.bin.*is missing/);
    dir = await fresh('flipped');
    const bin = readFileSync(join(dir, WEIGHTS_BIN));
    bin[100] ^= 0xff;
    writeFileSync(join(dir, WEIGHTS_BIN), bin);
    await expect(loadModel(dir)).rejects.toThrow(/sha256 .* expected/);
    model.dispose();
    leaks.check();
  });
});
