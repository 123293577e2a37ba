import type { Logger } from 'pino';
import { type ErrorCatalogue, weftErrors } from '../errors/index.ts';
import type { VersionSpec } from './versions.ts';

/** Body limit: 1 MiB fits any entity or batch of this system; more is an upload, which needs its own route. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
/** JSON depth: real payloads nest a handful of levels; 32 leaves room and keeps recursion far from the stack. */
export const DEFAULT_MAX_JSON_DEPTH = 32;
/** Deadline when the caller sends none: nothing unbounded may hold a connection and memory forever. */
export const DEFAULT_DEADLINE_MS = 15_000;
/** Longest budget a caller may ask for: beyond this a caller should poll, not wait. */
export const DEFAULT_MAX_DEADLINE_MS = 60_000;
/**
 * Inbound concurrency limit: a Node process saturates its core at a few hundred concurrent
 * requests; past 1,000 admitted requests only wait longer, so shed instead. 0 disables.
 */
export const DEFAULT_MAX_INFLIGHT_REQUESTS = 1000;
/** Drain bound: well inside Kubernetes' default 30 s grace period, room left for onClose hooks. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Options of {@link defineService}. */
export interface ServiceOptions {
  /** Service name (`users`): log field, metric source, OpenAPI title. */
  name: string;
  /** Instance id (`users-1`). */
  instance?: string;
  /** API/app version for the OpenAPI info. */
  version?: string;
  /** The application's error codes (titles and statuses of its problems), from defineErrors(). */
  errors?: ErrorCatalogue;
  /** API versions; a deprecated one adds Deprecation, Sunset and Link to every answer under `/<version>/`. */
  versions?: Record<string, VersionSpec>;
  /** Throws when the service cannot serve (for example the store does not answer a ping). */
  readiness?: (signal: AbortSignal) => Promise<void>;
  /** Deadline when the caller sends no `x-weft-deadline-ms`; 0 means none. */
  defaultDeadlineMs?: number;
  /** Cap on the caller's `x-weft-deadline-ms`. */
  maxDeadlineMs?: number;
  bodyLimitBytes?: number;
  maxJsonDepth?: number;
  /** Bound on draining in-flight requests during close(). */
  shutdownTimeoutMs?: number;
  /** Requests handled at once; more are refused with 503 OVERLOADED and Retry-After. 0: no limit. */
  maxInflightRequests?: number;
  /** pino level (default info). */
  logLevel?: string;
  /** `false` silences logs; a pino Logger is used as it is (tests pass one writing to a stream). */
  logger?: false | Logger;
}

/** The validated, frozen form of {@link ServiceOptions}. */
export interface ResolvedServiceOptions {
  readonly name: string;
  readonly instance: string | undefined;
  readonly version: string;
  readonly errors: ErrorCatalogue | undefined;
  readonly versions: Readonly<Record<string, VersionSpec>> | undefined;
  readonly readiness: ((signal: AbortSignal) => Promise<void>) | undefined;
  readonly defaultDeadlineMs: number;
  readonly maxDeadlineMs: number;
  readonly bodyLimitBytes: number;
  readonly maxJsonDepth: number;
  readonly shutdownTimeoutMs: number;
  readonly maxInflightRequests: number;
  readonly logLevel: string | undefined;
  readonly logger: false | Logger | undefined;
}

/** Validates options once; every message names the option and the bad value. */
export function resolveServiceOptions(options: ServiceOptions): ResolvedServiceOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('defineService: options are required');
  const { name } = options;
  if (typeof name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new TypeError(`defineService: name must be lower-case kebab-case, got ${String(name)}`);
  }
  if (options.readiness !== undefined && typeof options.readiness !== 'function') {
    throw new TypeError(`defineService: readiness must be a function, got ${typeof options.readiness}`);
  }
  if (options.errors !== undefined) {
    for (const [code, spec] of Object.entries(options.errors)) {
      const own = (weftErrors as ErrorCatalogue)[code];
      if (own !== undefined && own.status !== spec.status) {
        throw new TypeError(`defineService: errors.${code} redefines weft's code with status ${spec.status}`);
      }
    }
  }
  const maxDeadlineMs = count('maxDeadlineMs', options.maxDeadlineMs, DEFAULT_MAX_DEADLINE_MS, 1);
  const resolved: ResolvedServiceOptions = {
    name,
    instance: options.instance,
    version: options.version ?? '0.0.0',
    errors: options.errors,
    versions: options.versions,
    readiness: options.readiness,
    defaultDeadlineMs: count(
      'defaultDeadlineMs',
      options.defaultDeadlineMs,
      Math.min(DEFAULT_DEADLINE_MS, maxDeadlineMs),
      0,
    ),
    maxDeadlineMs,
    bodyLimitBytes: count('bodyLimitBytes', options.bodyLimitBytes, DEFAULT_BODY_LIMIT_BYTES, 1),
    maxJsonDepth: count('maxJsonDepth', options.maxJsonDepth, DEFAULT_MAX_JSON_DEPTH, 1),
    shutdownTimeoutMs: count('shutdownTimeoutMs', options.shutdownTimeoutMs, DEFAULT_SHUTDOWN_TIMEOUT_MS, 0),
    maxInflightRequests: count(
      'maxInflightRequests',
      options.maxInflightRequests,
      DEFAULT_MAX_INFLIGHT_REQUESTS,
      0,
    ),
    logLevel: options.logLevel,
    logger: options.logger,
  };
  if (resolved.defaultDeadlineMs > resolved.maxDeadlineMs) {
    throw new TypeError(
      `defineService: defaultDeadlineMs (${resolved.defaultDeadlineMs}) exceeds maxDeadlineMs (${resolved.maxDeadlineMs})`,
    );
  }
  return Object.freeze(resolved);
}

function count(option: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`defineService: ${option} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}
