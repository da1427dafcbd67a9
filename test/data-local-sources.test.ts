import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/errors.js';
import { ensureFiles } from '../src/data/acquire.js';
import type { DatasetFiles } from '../src/data/acquire.js';
import { FASHION_MNIST_FILES } from '../src/data/fashion-mnist.js';
import { gzipDirSource, gzipUrlSource } from '../src/data/idx-sources.js';

// A machine that reaches only the npm registry and Debian: a dataset shipped as a Debian package
// is a folder on this machine, which must be read even when downloads are off.
const scratch = mkdtempSync(join(tmpdir(), 'condensa-local-src-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const content = Buffer.from('idx bytes of a tiny dataset');
const spec = {
  name: 'tiny-idx',
  size: content.length,
  sha256: createHash('sha256').update(content).digest('hex'),
};
const install = 'install the Debian package with `sudo apt-get install dataset-tiny`';

function dataset(pkgDir: string): DatasetFiles {
  return {
    id: 'tiny',
    title: 'Tiny',
    files: [spec],
    // The unreachable official site first, as for Fashion-MNIST.
    sources: [
      gzipUrlSource('the official site', 'http://127.0.0.1:9/'),
      gzipDirSource('dataset-tiny', pkgDir, install),
    ],
    help: `Check network access, or ${install}`,
  };
}

describe('local (Debian package) dataset sources', () => {
  it('are read with downloads off, and the file is verified and cached', async () => {
    writeFileSync(join(scratch, 'tiny-idx.gz'), gzipSync(content));
    const files = await ensureFiles(dataset(scratch), { dataDir: join(scratch, 'cache'), offline: true });
    expect(files.get('tiny-idx')).toEqual(content);
  });

  it('a missing package is an error that says which package to install', async () => {
    const err = await ensureFiles(dataset(join(scratch, 'absent')), {
      dataDir: join(scratch, 'cache2'),
      offline: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/offline: local sources only/);
    expect((err as Error).message).toMatch(/sudo apt-get install dataset-tiny/);
  });

  it("Fashion-MNIST's offline source is Debian's dataset-fashion-mnist, named in its error help", () => {
    const local = FASHION_MNIST_FILES.sources.filter((s) => s.local);
    expect(local.map((s) => s.label)).toEqual([expect.stringMatching(/dataset-fashion-mnist/)]);
    expect(FASHION_MNIST_FILES.help).toMatch(/apt-get install dataset-fashion-mnist/);
  });
});
