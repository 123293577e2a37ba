/**
 * The error catalogue: every stable code weft itself answers with, its HTTP status and whether a
 * caller may retry. A code is never reused for another meaning; `docs/errors.md` lists the same
 * table and a test keeps the two in step.
 */
export interface ErrorSpec {
  /** HTTP status the code travels with. */
  readonly status: number;
  /** Short, human title; the same for every occurrence of the code. */
  readonly title: string;
  /** True when the same request may succeed later without change. */
  readonly retryable: boolean;
}

/** A set of codes an application adds to weft's own (for example `USER_NOT_FOUND`). */
export type ErrorCatalogue = Readonly<Record<string, ErrorSpec>>;

/** Builds a frozen catalogue, checking that codes are SCREAMING_SNAKE_CASE and statuses are errors. */
export function defineErrors<const T extends Record<string, ErrorSpec>>(specs: T): Readonly<T> {
  for (const [code, spec] of Object.entries(specs)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code))
      throw new TypeError(`error code must be SCREAMING_SNAKE_CASE, got ${code}`);
    if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599) {
      throw new TypeError(`error ${code}: status must be 400..599, got ${spec.status}`);
    }
    Object.freeze(spec);
  }
  return Object.freeze(specs);
}

/** weft's own codes. */
export const weftErrors = defineErrors({
  // input
  VALIDATION_FAILED: { status: 400, title: 'The request does not match the schema', retryable: false },
  MALFORMED_JSON: { status: 400, title: 'The body is not valid JSON', retryable: false },
  BODY_TOO_DEEP: { status: 400, title: 'The body nests deeper than allowed', retryable: false },
  BATCH_TOO_LARGE: { status: 400, title: 'Too many ids in one batch', retryable: false },
  BAD_CURSOR: { status: 400, title: 'The page cursor is not valid', retryable: false },
  BODY_TOO_LARGE: { status: 413, title: 'The body is larger than allowed', retryable: false },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'The body has an unsupported content type',
    retryable: false,
  },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large', retryable: false },
  // routing and state
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route', retryable: false },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The method is not allowed on this route', retryable: false },
  NOT_FOUND: { status: 404, title: 'The resource does not exist', retryable: false },
  VERSION_MISMATCH: {
    status: 412,
    title: 'The resource changed since the version given in If-Match',
    retryable: false,
  },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state', retryable: false },
  // security
  UNAUTHENTICATED: { status: 401, title: 'Credentials are missing or invalid', retryable: false },
  FORBIDDEN: { status: 403, title: 'The credentials do not allow this', retryable: false },
  RATE_LIMITED: { status: 429, title: 'Too many requests', retryable: true },
  // service health
  NOT_READY: { status: 503, title: 'The service is not ready', retryable: true },
  OVERLOADED: { status: 503, title: 'The service is shedding load', retryable: true },
  SHUTTING_DOWN: { status: 503, title: 'The service is shutting down', retryable: true },
  DEADLINE_EXCEEDED: { status: 504, title: 'The deadline passed before an answer', retryable: false },
  // upstream calls (client)
  UPSTREAM_UNAVAILABLE: { status: 503, title: 'No upstream instance could be reached', retryable: true },
  UPSTREAM_FAILED: { status: 502, title: 'The upstream answered with an error', retryable: true },
  UPSTREAM_TIMEOUT: { status: 504, title: 'The upstream did not answer in time', retryable: true },
  UPSTREAM_BAD_RESPONSE: { status: 502, title: 'The upstream answer could not be read', retryable: false },
  CIRCUIT_OPEN: { status: 503, title: 'The upstream circuit is open', retryable: true },
  BULKHEAD_FULL: { status: 503, title: 'Too many calls to the upstream are in flight', retryable: true },
  // last resort
  INTERNAL: { status: 500, title: 'Internal error', retryable: false },
});

/** A code of weft's own catalogue. */
export type WeftErrorCode = keyof typeof weftErrors;
