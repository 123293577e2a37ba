import type { ErrorCatalogue, ErrorSpec } from './catalogue.ts';
import { weftErrors } from './catalogue.ts';
import { type ProblemItem, WeftError } from './weft-error.ts';

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem document with weft's `code` extension. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: readonly ProblemItem[];
}

/** The problem `type` URI of a code: stable, and documented in docs/errors.md. */
export function problemType(code: string): string {
  return `urn:weft:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

/** Renders an error as a problem document; titles come from the catalogues, never from the cause. */
export function toProblem(
  error: WeftError,
  context: { instance?: string; requestId?: string; catalogue?: ErrorCatalogue } = {},
): Problem {
  const spec: ErrorSpec | undefined =
    context.catalogue?.[error.code] ?? (weftErrors as Record<string, ErrorSpec>)[error.code];
  const problem: Problem = {
    type: problemType(error.code),
    title: spec?.title ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
  };
  if (context.instance !== undefined) problem.instance = context.instance;
  if (context.requestId !== undefined) problem.requestId = context.requestId;
  if (error.errors !== undefined && error.errors.length > 0) problem.errors = error.errors;
  return problem;
}

/**
 * Turns an upstream's error answer back into the same typed error, so an error raised by
 * service B reaches service A's code as a WeftError with B's code. A body that is not a
 * problem document becomes `UPSTREAM_FAILED` (5xx) or `UPSTREAM_BAD_RESPONSE`.
 */
export function fromProblem(status: number, body: unknown, upstream = 'upstream'): WeftError {
  if (isProblem(body)) {
    const retryable = status === 429 || status === 502 || status === 503 || status === 504;
    return new WeftError(body.code, body.detail, { status, retryable, errors: body.errors });
  }
  if (status >= 500) {
    return new WeftError('UPSTREAM_FAILED', `${upstream} answered ${status}`, { status: 502 });
  }
  return new WeftError('UPSTREAM_BAD_RESPONSE', `${upstream} answered ${status} without a problem body`, {
    status: 502,
  });
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.code === 'string' && typeof b.detail === 'string';
}
