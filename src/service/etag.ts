import type { FastifyRequest } from 'fastify';
import { WeftError } from '../errors/index.ts';

const ETAG_VALUE = /^[\x21\x23-\x7e]+$/;

/** A strong entity tag for a resource version: `etag(3)` is `"3"`. */
export function etag(version: number | string): string {
  const value = String(version);
  if (!ETAG_VALUE.test(value))
    throw new TypeError(`etag: version has characters an ETag cannot carry: ${value}`);
  return `"${value}"`;
}

/**
 * True when an `If-None-Match` header matches `tag` (weak comparison, RFC 9110 §13.1.2):
 * `*`, or any listed tag equal to it ignoring `W/`.
 */
export function ifNoneMatchHits(header: string, tag: string): boolean {
  const wanted = tag.startsWith('W/') ? tag.slice(2) : tag;
  if (header === wanted) return true;
  for (const part of header.split(',')) {
    let candidate = part.trim();
    if (candidate === '*') return true;
    if (candidate.startsWith('W/')) candidate = candidate.slice(2);
    if (candidate === wanted) return true;
  }
  return false;
}

/**
 * The version an `If-Match` header expects (`"3"` → `'3'`), or undefined when there is no header
 * or it is `*`. Compare it with `String(current.version)` and throw 412 VERSION_MISMATCH when
 * they differ. A list or a weak tag is 400 VALIDATION_FAILED: a write needs one strong version.
 */
export function ifMatch(request: FastifyRequest): string | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return undefined;
  const match = /^"([\x21\x23-\x7e]+)"$/.exec(value);
  if (match === null) {
    throw new WeftError('VALIDATION_FAILED', 'If-Match must name one strong version, like "3"', {
      errors: [
        { path: 'headers/if-match', code: 'BAD_ETAG', detail: 'expected one quoted, strong entity tag' },
      ],
    });
  }
  return match[1];
}
