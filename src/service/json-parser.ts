import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WeftError } from '../errors/index.ts';

/** Media types the kit parses as JSON: `application/json` and any `application/*+json`. */
export const JSON_MEDIA_TYPES: readonly (string | RegExp)[] = Object.freeze([
  'application/json',
  /^application\/[\w.-]+\+json$/,
]);

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const OPEN_BRACE = 123; // {
const OPEN_BRACKET = 91; // [
const CLOSE_BRACE = 125; // }
const CLOSE_BRACKET = 93; // ]

/**
 * True when `text` nests arrays/objects deeper than `maxDepth`. It scans the raw string, so a
 * hostile 10,000-deep body is refused before JSON.parse (or any later recursive walk, such as
 * serialising it again) can exhaust the stack. Brackets inside strings do not count.
 */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  // Each level needs at least one character, so a short text cannot be too deep.
  if (text.length <= maxDepth) return false;
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Jump to the closing quote: one not preceded by an odd number of backslashes.
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q === -1) return false; // unterminated string: JSON.parse rejects it
        let slashes = 0;
        for (let b = q - 1; text.charCodeAt(b) === BACKSLASH; b--) slashes++;
        if ((slashes & 1) === 0) {
          i = q;
          break;
        }
        from = q + 1;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * Path of the first key that could pollute a prototype once the value is merged into another
 * object (`__proto__`, or `constructor` holding `prototype`), or undefined. Recursion is safe:
 * callers bound the depth first.
 */
export function findPoisonedKey(value: unknown, path = 'body'): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findPoisonedKey(value[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (Object.hasOwn(value, '__proto__')) return `${path}/__proto__`;
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(value, 'constructor')) {
    const ctor = record.constructor;
    if (typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) {
      return `${path}/constructor/prototype`;
    }
  }
  for (const key of Object.keys(record)) {
    const found = findPoisonedKey(record[key], `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Parses a JSON request body: depth bound first, then JSON.parse, then a prototype-poisoning
 * check that only walks the value when the text mentions a dangerous key.
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (text.length === 0) throw new WeftError('MALFORMED_JSON', 'The body is empty');
  if (exceedsJsonDepth(text, maxDepth)) {
    throw new WeftError('BODY_TOO_DEEP', `The body nests deeper than ${maxDepth} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new WeftError('MALFORMED_JSON', 'The body is not valid JSON', { cause: error });
  }
  if (text.includes('__proto__') || text.includes('constructor')) {
    const path = findPoisonedKey(value);
    if (path !== undefined) {
      throw new WeftError('VALIDATION_FAILED', 'The body contains a forbidden key', {
        errors: [{ path, code: 'FORBIDDEN_KEY', detail: 'keys that can pollute prototypes are not allowed' }],
      });
    }
  }
  return value;
}

/**
 * Replaces Fastify's body parsers with the hardened JSON parser only, so any other content type
 * on a body route is 415 UNSUPPORTED_MEDIA_TYPE (Fastify's text/plain parser would otherwise
 * turn it into a confusing 400). Applications may add parsers for other types afterwards.
 */
export function installJsonParser(app: FastifyInstance, maxDepth: number, bodyLimitBytes: number): void {
  app.removeAllContentTypeParsers();
  const parse = (
    _request: FastifyRequest,
    body: string,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    let value: unknown;
    try {
      value = parseJsonBody(body, maxDepth);
    } catch (error) {
      done(error as Error);
      return;
    }
    done(null, value);
  };
  for (const type of JSON_MEDIA_TYPES) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: bodyLimitBytes }, parse);
  }
}
