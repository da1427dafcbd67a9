import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, type LaunchChromiumOptions } from './chromium.js';
import { startStaticServer, type StaticServer } from './static-server.js';

/** The backends a page can ask tfjs for. */
export type BrowserBackend = 'wasm' | 'webgl' | 'cpu';

/** Options of {@link openTfjsPage}. */
export interface TfjsPageOptions {
  /** More files to serve (URL path -> content), e.g. a saved model. */
  files?: Record<string, string | Uint8Array>;
  /** More folders to serve (URL prefix -> folder). */
  mounts?: Record<string, string>;
  /** Script URLs loaded after tfjs (a bundle of `condensa-ts/browser`, say). */
  scripts?: string[];
  launch?: LaunchChromiumOptions;
}

/** A headless page with stock tfjs (and its wasm backend) loaded from this machine. */
export interface TfjsPage {
  browser: Browser;
  page: Page;
  server: StaticServer;
  /** Console errors and uncaught exceptions of the page so far. */
  errors: string[];
  /** Switch the page's tfjs backend; the reason when it cannot start (webgl without a GPU...). */
  setBackend(backend: BrowserBackend): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Close the browser, then the server. */
  close(): Promise<void>;
}

/**
 * The `dist` folders of the installed `@tensorflow/tfjs` and `@tensorflow/tfjs-backend-wasm`.
 *
 * @example
 * ```ts
 * const { tfjs } = tfjsDistFolders(); // .../node_modules/@tensorflow/tfjs/dist (tf.min.js)
 * ```
 */
export function tfjsDistFolders(): { tfjs: string; wasm: string } {
  const require = createRequire(import.meta.url);
  return {
    tfjs: dirname(require.resolve('@tensorflow/tfjs')),
    wasm: dirname(require.resolve('@tensorflow/tfjs-backend-wasm')),
  };
}

/**
 * Start a loopback server and headless Chromium, and open a page that loads the stock tfjs
 * bundles (`tf.min.js`, `tf-backend-wasm.min.js` and its `.wasm` files) from the installed
 * packages: no network and no CDN. Call `close()` when done, also on failure.
 *
 * @example
 * ```ts
 * const session = await openTfjsPage();
 * await session.setBackend('wasm');
 * console.log(await session.page.evaluate(() => (window as unknown as PageGlobals).tf.getBackend()));
 * await session.close();
 * ```
 */
export async function openTfjsPage(opts: TfjsPageOptions = {}): Promise<TfjsPage> {
  const dist = tfjsDistFolders();
  const scripts = ['/tfjs/tf.min.js', '/tfjs-wasm/tf-backend-wasm.min.js', ...(opts.scripts ?? [])];
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>condensa-ts</title><link rel="icon" href="data:,"></head><body>' +
    scripts.map((s) => `<script src="${s}"></script>`).join('') +
    "<script>tf.wasm.setWasmPaths('/tfjs-wasm/');</script></body></html>";
  const server = await startStaticServer({
    files: { '/index.html': html, ...opts.files },
    mounts: { '/tfjs/': dist.tfjs, '/tfjs-wasm/': dist.wasm, ...opts.mounts },
  });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium(opts.launch);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/index.html`);
    const opened = browser;
    return {
      browser: opened,
      page,
      server,
      errors,
      setBackend: (backend) =>
        page.evaluate(async (name) => {
          const { tf } = window as unknown as PageGlobals;
          try {
            const ok = await tf.setBackend(name);
            await tf.ready();
            return ok && tf.getBackend() === name
              ? { ok: true as const }
              : { ok: false as const, reason: `tf.setBackend('${name}') returned false` };
          } catch (e) {
            return { ok: false as const, reason: String(e) };
          }
        }, backend),
      close: async () => {
        await opened.close();
        await server.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await server.close();
    throw e;
  }
}

/**
 * The page's globals, for the functions passed to `page.evaluate` (they run in the page, where
 * the stock bundle defines `tf`): `const { tf } = window as unknown as PageGlobals`.
 */
export interface PageGlobals {
  tf: typeof import('@tensorflow/tfjs');
}
