export { decodeCursor, encodeCursor, MAX_CURSOR_CHARS } from './cursor.ts';
export {
  defineService,
  KEEP_ALIVE_TIMEOUT_MS,
  REQUEST_ID_PATTERN,
  REQUEST_RECEIVE_TIMEOUT_MS,
  type RouteDeadline,
  type Service,
  type ServiceApp,
  UNMATCHED_ROUTE,
} from './define-service.ts';
export { etag, ifMatch, ifNoneMatchHits } from './etag.ts';
export { READINESS_TIMEOUT_MS } from './health.ts';
export { DEFAULT_MAX_BATCH_IDS, ID_PATTERN, parseIdList } from './ids.ts';
export { exceedsJsonDepth, JSON_MEDIA_TYPES } from './json-parser.ts';
export { DOCS_PREFIX } from './openapi.ts';
export {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_DEADLINE_MS,
  DEFAULT_MAX_INFLIGHT_REQUESTS,
  DEFAULT_MAX_JSON_DEPTH,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  type ServiceOptions,
} from './options.ts';
export { PROBLEM_SCHEMA_ID, ProblemSchema, problem, problemsOf, toWeftError } from './problems.ts';
export { SIGNAL_EXIT_GRACE_MS } from './shutdown.ts';
export { closeObjectSchemas } from './strict-schema.ts';
export type { VersionDeprecation, VersionSpec } from './versions.ts';
