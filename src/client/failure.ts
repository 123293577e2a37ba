import { WeftError } from '../errors/index.ts';
import type { FailureKind } from './events.ts';

/** What the client learnt about a failure, beyond its code. */
export interface FailureInfo {
  readonly kind: FailureKind;
  /** Upstream's Retry-After, in ms, when it sent one. */
  readonly retryAfterMs?: number;
}

// Side table rather than a field: WeftError is shared with the rest of weft and stays as it is.
const infos = new WeakMap<WeftError, FailureInfo>();

/** Makes a WeftError and remembers its failure kind. */
export function failure(
  code: string,
  detail: string,
  kind: FailureKind,
  options: ConstructorParameters<typeof WeftError>[2] = {},
): WeftError {
  return tag(new WeftError(code, detail, options), { kind });
}

/** Remembers how `error` came about. */
export function tag(error: WeftError, info: FailureInfo): WeftError {
  infos.set(error, info);
  return error;
}

/** The failure kind of an error raised by the client, if it raised it. */
export function failureOf(error: unknown): FailureInfo | undefined {
  return WeftError.is(error) ? infos.get(error) : undefined;
}

/** Failures that say the instance is unwell: they count towards ejection and the breaker. */
export function isGatewayFailure(kind: FailureKind | undefined): boolean {
  return kind === 'connect' || kind === 'reset' || kind === 'timeout' || kind === 'http_5xx';
}

/** Parses Retry-After (delta seconds or an HTTP date) into ms; undefined when absent or bad. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs = Date.now(),
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
