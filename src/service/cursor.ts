import { WeftError } from '../errors/index.ts';
import { findPoisonedKey } from './json-parser.ts';

/** Longest cursor accepted, in characters: a cursor names a position, not a payload. */
export const MAX_CURSOR_CHARS = 2048;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Encodes a page position (a small JSON object) as an opaque base64url cursor. */
export function encodeCursor(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}. Anything else (bad base64url, not JSON, not an
 * object, too long, prototype-polluting keys) is 400 BAD_CURSOR. The caller still validates
 * the fields it expects.
 */
export function decodeCursor<T extends Record<string, unknown> = Record<string, unknown>>(cursor: string): T {
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_CHARS || !BASE64URL.test(cursor)) {
    throw badCursor();
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw badCursor(error);
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    findPoisonedKey(value) !== undefined
  ) {
    throw badCursor();
  }
  return value as T;
}

function badCursor(cause?: unknown): WeftError {
  return new WeftError('BAD_CURSOR', 'The page cursor is not valid; start again without it', { cause });
}
