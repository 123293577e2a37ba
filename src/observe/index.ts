export { createLogger, DEFAULT_LOG_LEVEL, type LoggerOptions, REDACTED_PATHS } from './logger.ts';
export { createHttpMetrics, HTTP_DURATION_BUCKETS_SECONDS, type HttpMetrics } from './metrics.ts';
