import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so that two equal payloads written in different
 * key orders give the same text (and the same job id).
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .filter((k) => obj[k] !== undefined)
        .map((k) => [k, sortKeys(obj[k])]),
    );
  }
  return value;
}

/**
 * The id of a job: the sha256 of its kind and canonical payload. The same inputs always give the
 * same id, so a job enqueued twice (a coordinator restarted mid-batch) is one job in Redis: BullMQ
 * ignores the second `add`, and its result is read back instead of computed again.
 *
 * @example
 * jobId('sample', { density: 0.5 }) === jobId('sample', { density: 0.5 }); // true
 */
export function jobId(kind: string, payload: unknown): string {
  return createHash('sha256').update(kind).update('\n').update(canonicalJson(payload)).digest('hex');
}
