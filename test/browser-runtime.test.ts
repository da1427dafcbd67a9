import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startStaticServer } from '../src/browser-runtime/index.js';

/** GET a raw path (not normalised by a URL parser, as an attacker would send it). */
function get(base: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    })
      .on('error', reject)
      .end();
  });
}

it('the static server serves memory files and mounted folders on 127.0.0.1, and nothing outside them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'condensa-serve-'));
  await writeFile(join(dir, 'w.wasm'), 'wasm bytes');
  const server = await startStaticServer({ files: { '/index.html': '<p>hi</p>' }, mounts: { '/m/': dir } });
  try {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await get(server.url, '/index.html')).toMatchObject({ status: 200, body: '<p>hi</p>' });
    expect(await get(server.url, '/m/w.wasm')).toEqual({
      status: 200,
      type: 'application/wasm',
      body: 'wasm bytes',
    });
    expect((await get(server.url, '/m/missing.js')).status).toBe(404);
    // A plain `..` is resolved by URL parsing (to /package.json, which is not served); an
    // encoded one survives parsing and must be refused by the mount itself.
    expect((await get(server.url, '/m/../package.json')).status).toBe(404);
    expect((await get(server.url, '/m/..%2f..%2fetc%2fpasswd')).status).toBe(403);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
