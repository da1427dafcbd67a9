import { copyFile, mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { dataRoot, loadMnist } from '../src/data/index.js';
import { ensureFiles, type DatasetFiles } from '../src/data/acquire.js';
import { sha256 } from '../src/data/cache.js';
import { gzipDirSource, gzipUrlSource } from '../src/data/idx-sources.js';
import { parseIdx } from '../src/data/idx.js';
import { DataError } from '../src/errors.js';

const LABELS = 't10k-labels-idx1-ubyte';
const LABELS_SHA = 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2';
const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A temporary cache root holding a copy of the verified MNIST cache. */
async function copiedCache(): Promise<string> {
  await loadMnist(); // makes sure the default cache holds verified files
  const root = await mkdtemp(join(tmpdir(), 'condensa-cache-test-'));
  temps.push(root);
  await mkdir(join(root, 'mnist'));
  for (const f of MNIST_FILES) await copyFile(join(dataRoot(), 'mnist', f), join(root, 'mnist', f));
  return root;
}

async function flipByte(path: string, offset: number): Promise<void> {
  const data = await readFile(path);
  data[offset] ^= 0xff;
  await writeFile(path, data);
}

describe('dataset cache', () => {
  it('detects a corrupted cached file, deletes it and fetches it again', async () => {
    const root = await copiedCache();
    const path = join(root, 'mnist', LABELS);
    await flipByte(path, 100);
    expect(sha256(await readFile(path))).not.toBe(LABELS_SHA);
    const mnist = await loadMnist({ dataDir: root });
    // The loaded labels are the real ones (first test digits 7, 2, 1, 0, 4), and the file is good again.
    expect(Array.from(mnist.test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    expect(sha256(await readFile(path))).toBe(LABELS_SHA);
  });

  it('never uses a bad cached file when it cannot fetch: a DataError says what and what to do', async () => {
    const root = await copiedCache();
    const path = join(root, 'mnist', LABELS);
    await flipByte(path, 5000);
    const err = await loadMnist({ dataDir: root, offline: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    const message = (err as DataError).message;
    expect(message).toContain(LABELS);
    expect(message).toContain(LABELS_SHA);
    expect(message).toMatch(/sha256 [0-9a-f]{64}, expected/);
    expect(message).toContain('condensa data fetch mnist');
    // The bad copy was deleted, not kept.
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('reports a truncated cached file as truncated', async () => {
    const root = await copiedCache();
    const path = join(root, 'mnist', 't10k-images-idx3-ubyte');
    await truncate(path, 1000);
    const err = await loadMnist({ dataDir: root, offline: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(
      /t10k-images-idx3-ubyte.*truncated: 1000 bytes, expected 7840016/,
    );
  });

  it('rejects a source whose file fails its checksum, and says which sources failed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'condensa-source-test-'));
    temps.push(root);
    const good = Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 3, 4]);
    const bad = Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 3, 5]);
    await mkdir(join(root, 'served'));
    await writeFile(join(root, 'served', 'tiny-labels.gz'), gzipSync(bad));
    const def: DatasetFiles = {
      id: 'tiny',
      title: 'Tiny',
      files: [{ name: 'tiny-labels', size: good.length, sha256: sha256(good) }],
      sources: [
        gzipUrlSource('an unreachable site', 'http://condensa-test.invalid/'),
        gzipDirSource('a local folder', join(root, 'served'), 'put it there'),
        gzipDirSource('a missing folder', join(root, 'absent'), 'install it'),
      ],
      help: 'do something sensible',
    };
    const err = await ensureFiles(def, { dataDir: join(root, 'cache') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    const message = (err as DataError).message;
    expect(message).toContain('tiny-labels');
    expect(message).toContain(sha256(good));
    expect(message).toMatch(/an unreachable site .*unreachable/);
    expect(message).toMatch(/a local folder .*tiny-labels sha256 [0-9a-f]{64}, expected/);
    expect(message).toMatch(/a missing folder .*not found; install it/);
    expect(message).toContain('What to do: do something sensible');
    // Nothing unverified was cached.
    await expect(stat(join(root, 'cache', 'tiny', 'tiny-labels'))).rejects.toThrow(/ENOENT/);

    // Once the local folder serves the right file, it is fetched, verified and cached.
    await writeFile(join(root, 'served', 'tiny-labels.gz'), gzipSync(good));
    const files = await ensureFiles(def, { dataDir: join(root, 'cache') });
    expect(Array.from(files.get('tiny-labels')!)).toEqual(Array.from(good));
    expect(sha256(await readFile(join(root, 'cache', 'tiny', 'tiny-labels')))).toBe(sha256(good));
    expect(parseIdx(files.get('tiny-labels')!, 'tiny-labels')).toEqual({
      dims: [2],
      values: new Uint8Array([3, 4]),
    });
  });

  it('rejects malformed idx files', () => {
    expect(() => parseIdx(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), 'x')).toThrow(/bad magic number/);
    expect(() => parseIdx(Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 1]), 'x')).toThrow(/9 bytes, expected 11/);
  });
});
