import { type ErrorSpec, weftErrors } from './catalogue.ts';

const brand = Symbol.for('weft.error');

/** Options of a {@link WeftError}. */
export interface WeftErrorOptions {
  /** HTTP status; defaults to the catalogue's (500 for a code the catalogue lacks). */
  status?: number;
  /** Overrides the catalogue's retryable flag. */
  retryable?: boolean;
  /** The underlying error, kept for logs and never sent on the wire. */
  cause?: unknown;
  /** Structured, safe-to-show detail (for example validation failures). */
  errors?: readonly ProblemItem[];
  /** Extra headers the answer should carry (for example `Retry-After`). */
  headers?: Readonly<Record<string, string>>;
}

/** One entry of a problem's `errors` array. */
export interface ProblemItem {
  readonly path: string;
  readonly code: string;
  readonly detail: string;
}

/**
 * The one error type of weft: a stable string `code`, the HTTP `status` it travels with, a
 * `retryable` flag and a `cause`. The message (`detail`) is safe to show callers; raw upstream
 * errors and secrets stay in `cause`.
 */
export class WeftError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly errors: readonly ProblemItem[] | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;

  constructor(code: string, detail: string, options: WeftErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    const spec: ErrorSpec | undefined = (weftErrors as Record<string, ErrorSpec>)[code];
    this.name = 'WeftError';
    this.code = code;
    this.status = options.status ?? spec?.status ?? 500;
    this.retryable = options.retryable ?? spec?.retryable ?? false;
    this.errors = options.errors;
    this.headers = options.headers;
  }

  /** True for a WeftError, even one made by another copy of weft. */
  static is(value: unknown): value is WeftError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }

  /** Normalises anything thrown into a WeftError; unknown errors become `INTERNAL`, kept as cause. */
  static from(value: unknown): WeftError {
    if (WeftError.is(value)) return value;
    if (value instanceof Error && value.name === 'AbortError') {
      return new WeftError('DEADLINE_EXCEEDED', 'The operation was aborted', { cause: value });
    }
    return new WeftError('INTERNAL', 'Internal error', { cause: value });
  }
}

Object.defineProperty(WeftError.prototype, brand, { value: true });
