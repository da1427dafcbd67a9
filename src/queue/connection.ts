import { Redis } from 'ioredis';
import { InvalidArgumentError } from '../errors.js';

/** Name of the BullMQ queue searches and workers share unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'condensa';

/**
 * An ioredis connection for BullMQ from a `redis://[user:password@]host:port[/db]` (or
 * `rediss://` for TLS) URL. `maxRetriesPerRequest: null` is what BullMQ's blocking commands
 * need; ioredis then retries a lost connection instead of failing the job.
 *
 * @example
 * const connection = redisConnection('redis://127.0.0.1:6379');
 */
export function redisConnection(url: string): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`--redis must be a URL like redis://HOST:PORT, got '${url}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidArgumentError(`--redis must start with redis:// (or rediss:// for TLS), got '${url}'`);
  }
  return new Redis(url, { maxRetriesPerRequest: null });
}
