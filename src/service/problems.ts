import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  type ErrorCatalogue,
  type ErrorSpec,
  PROBLEM_CONTENT_TYPE,
  type ProblemItem,
  toProblem,
  WeftError,
  type WeftErrorCode,
  type WeftErrorOptions,
  weftErrors,
} from '../errors/index.ts';

/** `$id` of the problem schema shared by every route's 4xx/5xx answers (and OpenAPI components). */
export const PROBLEM_SCHEMA_ID = 'WeftProblem';

/** The RFC 9457 problem document weft answers errors with, as a TypeBox schema. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), code: Type.String(), detail: Type.String() })),
    ),
  },
  { $id: PROBLEM_SCHEMA_ID, title: 'Problem', description: 'RFC 9457 problem details with a stable code' },
);

/** A response entry documenting and serializing problem answers; added to every route for 4xx and 5xx. */
export const problemResponse = Object.freeze({
  description: 'Problem (RFC 9457)',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `${PROBLEM_SCHEMA_ID}#` } } },
});

/** Makes a WeftError of weft's own catalogue: `throw problem('NOT_FOUND', 'no user 42')`. */
export function problem(code: WeftErrorCode, detail: string, options?: WeftErrorOptions): WeftError {
  return new WeftError(code, detail, options);
}

/**
 * Returns a maker of errors of an application catalogue that carries the catalogue's status and
 * retryable flag: `const fail = problemsOf(shopErrors); throw fail('USER_NOT_FOUND', '...')`.
 */
export function problemsOf<const C extends ErrorCatalogue>(
  catalogue: C,
): (code: keyof C & string, detail: string, options?: WeftErrorOptions) => WeftError {
  return (code, detail, options = {}) => {
    const spec: ErrorSpec | undefined = catalogue[code];
    return new WeftError(code, detail, {
      status: spec?.status,
      retryable: spec?.retryable,
      ...options,
    });
  };
}

// Fastify's own error codes that have a weft meaning; anything else is mapped by status.
const fastifyCodes: Readonly<Record<string, WeftErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_NOT_FOUND: 'ROUTE_NOT_FOUND',
};

// For foreign 4xx errors (plugins, Fastify internals): the weft code of a status.
const statusCodes: Readonly<Record<number, WeftErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * Normalises anything a request failed with into a WeftError. Fastify validation errors become
 * VALIDATION_FAILED with one `errors[]` item per failure; Fastify's 4xx errors keep their meaning;
 * everything unknown is INTERNAL, with the original kept as `cause` (logged, never sent).
 * A WeftError whose code is in the service's catalogue but was built without a status (so it
 * defaulted to 500) gets the catalogue's status.
 */
export function toWeftError(error: unknown, catalogue?: ErrorCatalogue): WeftError {
  if (WeftError.is(error)) {
    const spec = catalogue?.[error.code];
    if (spec !== undefined && error.status === 500 && spec.status !== 500) {
      return new WeftError(error.code, error.message, {
        status: spec.status,
        retryable: spec.retryable,
        cause: error.cause,
        errors: error.errors,
        headers: error.headers,
      });
    }
    return error;
  }
  const fe = error as Partial<FastifyError> | null;
  if (fe !== null && typeof fe === 'object') {
    if (Array.isArray(fe.validation)) {
      const where = fe.validationContext ?? 'request';
      return new WeftError('VALIDATION_FAILED', `The ${where} does not match the schema`, {
        errors: (fe.validation as AjvError[]).map((item) => validationItem(where, item)),
        cause: error,
      });
    }
    const mapped = typeof fe.code === 'string' ? fastifyCodes[fe.code] : undefined;
    if (mapped !== undefined) return new WeftError(mapped, safeMessage(fe, mapped), { cause: error });
    const status = fe.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = statusCodes[status] ?? 'VALIDATION_FAILED';
      return new WeftError(code, safeMessage(fe, code), { status, cause: error });
    }
  }
  return WeftError.from(error);
}

function safeMessage(error: Partial<FastifyError>, code: WeftErrorCode): string {
  // Fastify's and plugins' 4xx messages are written for callers; cap them anyway.
  const message = typeof error.message === 'string' && error.message !== '' ? error.message : undefined;
  return message === undefined ? weftErrors[code].title : message.slice(0, 300);
}

function validationItem(where: string, error: AjvError): ProblemItem {
  let path = where + error.instancePath;
  const params = error.params ?? {};
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    path += `/${params.missingProperty}`;
  } else if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    path += `/${params.additionalProperty}`;
    return { path, code: 'UNKNOWN_FIELD', detail: `unknown field '${params.additionalProperty}'` };
  }
  return { path, code: screamingSnake(error.keyword), detail: error.message ?? error.keyword };
}

function screamingSnake(keyword: string): string {
  return keyword.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Builds the service's Fastify error handler: every error answer is a problem document. */
export function createErrorHandler(catalogue: ErrorCatalogue | undefined) {
  const context = { catalogue, requestId: '' };
  return function weftErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const weft = toWeftError(error, catalogue);
    if (weft.status >= 500) {
      request.log.error({ err: error, code: weft.code }, 'request failed');
    } else {
      request.log.debug({ code: weft.code, detail: weft.message }, 'request rejected');
    }
    if (weft.headers !== undefined) reply.headers(weft.headers);
    context.requestId = request.id;
    reply.code(weft.status).type(PROBLEM_CONTENT_TYPE).send(toProblem(weft, context));
  };
}
