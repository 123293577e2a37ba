import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino replaces with `[redacted]` wherever a request, response or error carrying headers
 * is logged. Credentials must never reach a log line, even at debug level.
 */
export const REDACTED_PATHS: readonly string[] = Object.freeze([
  'authorization',
  'cookie',
  'apiKey',
  'password',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-api-key"]',
  'headers["proxy-authorization"]',
  '*.authorization',
  '*.cookie',
  '*.apiKey',
  '*.password',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["x-api-key"]',
  '*.headers["proxy-authorization"]',
]);

/** Level used when none is given: one line per request is the useful default in production. */
export const DEFAULT_LOG_LEVEL = 'info';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Service name, bound to every line as `service`. */
  name: string;
  /** Instance id (`users-1`), bound to every line as `instance` when given. */
  instance?: string;
  /** pino level; defaults to {@link DEFAULT_LOG_LEVEL}. */
  level?: string;
  /** Where lines go; stdout when absent (tests pass a stream to read them). */
  destination?: DestinationStream;
  /** False silences the logger entirely. */
  enabled?: boolean;
}

/** Creates weft's JSON line logger: pino with the service bound and credentials redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const base: Record<string, string> = { service: options.name };
  if (options.instance !== undefined) base.instance = options.instance;
  const config = {
    level: options.level ?? DEFAULT_LOG_LEVEL,
    enabled: options.enabled ?? true,
    base,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}
