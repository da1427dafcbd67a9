import { DataError } from '../errors.js';
import type { ProgressCallback } from './types.js';

/** How long to wait for a server to answer, and for the next chunk of a body. */
export interface DownloadTimeouts {
  connectMs: number;
  idleMs: number;
}

// Short, because an unreachable official site should fall through to the mirror quickly.
const DEFAULT_TIMEOUTS: DownloadTimeouts = { connectMs: 15_000, idleMs: 30_000 };

/**
 * Downloads `url` into memory, reporting bytes through `onProgress`. Fails with a DataError on
 * no answer, an HTTP error, a stall, or a body shorter than its Content-Length.
 */
export async function download(
  url: string,
  onProgress?: ProgressCallback,
  timeouts: DownloadTimeouts = DEFAULT_TIMEOUTS,
): Promise<Buffer> {
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), timeouts.connectMs);
  const what = `download ${url}`;
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok || !response.body) {
      throw new DataError(`${url}: HTTP ${response.status} ${response.statusText}`);
    }
    const total = Number(response.headers.get('content-length') ?? 0);
    const chunks: Uint8Array[] = [];
    let received = 0;
    const reader = response.body.getReader();
    for (;;) {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), timeouts.idleMs);
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onProgress?.(received, total || received, what);
    }
    if (total && received !== total) {
      throw new DataError(`${url}: truncated download, ${received} of ${total} bytes`);
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if (err instanceof DataError) throw err;
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new DataError(`${url}: unreachable (${controller.signal.aborted ? 'timed out' : cause})`);
  } finally {
    clearTimeout(timer);
  }
}
