import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/** What {@link startStaticServer} serves: folders under URL prefixes, and files held in memory. */
export interface StaticServerOptions {
  /** URL prefix (`/tfjs/`) -> folder on disk. Only files inside the folder are served. */
  mounts?: Record<string, string>;
  /** URL path (`/index.html`) -> content. Checked before the mounts. */
  files?: Record<string, string | Uint8Array>;
}

/** A running server: its base URL (`http://127.0.0.1:PORT`) and how to stop it. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * A static file server on 127.0.0.1 at a free port, for loading tfjs and models into a headless
 * browser. Loopback only: nothing outside the machine can reach it.
 *
 * @example
 * ```ts
 * const server = await startStaticServer({ files: { '/index.html': '<p>hi</p>' } });
 * console.log(`${server.url}/index.html`);
 * await server.close();
 * ```
 */
export async function startStaticServer(opts: StaticServerOptions = {}): Promise<StaticServer> {
  const files = opts.files ?? {};
  const mounts = Object.entries(opts.mounts ?? {});
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const send = (status: number, body: string | Uint8Array, type = TYPES[extname(path)]): void => {
      res.writeHead(status, {
        'content-type': type ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    };
    if (path in files) return send(200, files[path]);
    for (const [prefix, dir] of mounts) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      // A `..` in the URL must not reach outside the mounted folder.
      if (!file.startsWith(normalize(dir) + sep))
        return send(403, 'outside the mounted folder', 'text/plain');
      stat(file).then(
        (s) => {
          if (!s.isFile()) return send(404, 'not a file', 'text/plain');
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
          createReadStream(file).pipe(res);
        },
        () => send(404, `${path} not found`, 'text/plain'),
      );
      return;
    }
    send(404, `${path} not found`, 'text/plain');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
