import { errors as undiciErrors } from 'undici';
import { DEADLINE_HEADER } from '../context/index.ts';
import { fromProblem, WeftError } from '../errors/index.ts';
import type { Endpoint } from './endpoint.ts';
import type { ClientEvent, FailureKind } from './events.ts';
import { failure, failureOf, parseRetryAfter, tag } from './failure.ts';
import { HEDGE_LOST } from './hedge.ts';
import type { ResolvedOptions } from './options.ts';
import type { Call, ClientResponse } from './policy.ts';

const ATTEMPT_TIMEOUT = Symbol('attempt timeout');

/**
 * Sends one attempt to one instance and reads the whole answer. The attempt is bounded by the
 * earlier of the call's deadline and `attemptTimeoutMs`; the upstream is told that budget minus
 * the margin in `x-weft-deadline-ms`. Nothing is sent when less than the margin is left.
 */
export async function sendAttempt(
  endpoint: Endpoint,
  call: Call,
  options: ResolvedOptions,
  emit: (event: ClientEvent) => void,
): Promise<ClientResponse> {
  const hedged = call.hedged === true;
  const start = performance.now();
  const remaining = call.expiresAt - start;
  if (call.signal.aborted || remaining <= options.deadlineMarginMs) {
    throw failure('DEADLINE_EXCEEDED', `The deadline passed before ${call.service} was called`, 'deadline');
  }
  const budget = Math.min(remaining, options.attemptTimeoutMs);
  const controller = new AbortController();
  const onCallAbort = () => controller.abort(call.signal.reason);
  call.signal.addEventListener('abort', onCallAbort, { once: true });
  const timer = setTimeout(() => controller.abort(ATTEMPT_TIMEOUT), budget);
  timer.unref();
  call.tried.add(endpoint.id);
  endpoint.begin(start);
  let status: number | undefined;
  try {
    const response = await endpoint.pool.request({
      method: call.method as 'GET',
      path: call.path,
      headers: { ...call.headers, [DEADLINE_HEADER]: String(Math.floor(budget - options.deadlineMarginMs)) },
      body: call.body,
      signal: controller.signal,
    });
    status = response.statusCode;
    const text = await response.body.text();
    const body = parseBody(text, response.headers['content-type']);
    const latency = performance.now() - start;
    if ((status >= 200 && status < 300) || status === 304) {
      endpoint.observe(latency, options.ewmaDecayMs);
      report(true, undefined);
      return { status, headers: response.headers, body: body === INVALID ? text : body };
    }
    if (body === INVALID && status < 500) {
      throw failure(
        'UPSTREAM_BAD_RESPONSE',
        `${call.service} answered ${status} with a body that is not JSON`,
        'bad_response',
        { status: 502 },
      );
    }
    // An error answer is still an answer: it tells us the instance's latency.
    endpoint.observe(latency, options.ewmaDecayMs);
    throw answerError(
      status,
      body === INVALID ? undefined : body,
      response.headers['retry-after'],
      call.service,
    );
  } catch (error) {
    const weft = classify(error, controller.signal, call);
    // A timed-out attempt took at least its budget: let the balancer see that (peak EWMA).
    if (failureOf(weft)?.kind === 'timeout') endpoint.observe(performance.now() - start, options.ewmaDecayMs);
    report(false, failureOf(weft)?.kind);
    throw weft;
  } finally {
    clearTimeout(timer);
    call.signal.removeEventListener('abort', onCallAbort);
    endpoint.end(performance.now(), status !== undefined);
  }

  function report(ok: boolean, kind: FailureKind | undefined): void {
    emit({
      type: 'attempt',
      service: call.service,
      instance: endpoint.id,
      ok,
      kind,
      status,
      durationMs: performance.now() - start,
      hedged,
    });
  }
}

const INVALID = Symbol('invalid json');

function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  if (text === '') return undefined;
  const type = Array.isArray(contentType) ? contentType[0] : contentType;
  if (type !== undefined && !/json/i.test(type)) return INVALID;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function answerError(
  status: number,
  body: unknown,
  retryAfter: string | string[] | undefined,
  service: string,
): WeftError {
  const retryAfterMs = parseRetryAfter(retryAfter);
  const headers = typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : undefined;
  let error = fromProblem(status, body, service);
  if (status === 429 && error.code === 'UPSTREAM_BAD_RESPONSE') {
    error = new WeftError('RATE_LIMITED', `${service} answered 429`, { headers });
  } else if (headers !== undefined) {
    error = new WeftError(error.code, error.message, {
      status: error.status,
      retryable: error.retryable,
      errors: error.errors,
      headers,
    });
  }
  const kind: FailureKind = status === 429 ? 'http_429' : status >= 500 ? 'http_5xx' : 'http_4xx';
  return tag(error, { kind, retryAfterMs });
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Maps whatever the attempt threw to a WeftError with a failure kind. */
function classify(error: unknown, signal: AbortSignal, call: Call): WeftError {
  let result: WeftError;
  if (WeftError.is(error)) {
    result = error;
  } else if (signal.aborted && signal.reason === ATTEMPT_TIMEOUT) {
    result = failure('UPSTREAM_TIMEOUT', `${call.service} did not answer in time`, 'timeout', {
      cause: error,
    });
  } else if (signal.aborted && signal.reason === HEDGE_LOST) {
    result = failure('DEADLINE_EXCEEDED', `A faster hedged attempt to ${call.service} won`, 'cancelled', {
      cause: error,
    });
  } else if (signal.aborted) {
    result = failure('DEADLINE_EXCEEDED', `The deadline passed while calling ${call.service}`, 'deadline', {
      cause: error,
    });
  } else {
    const code = (error as { code?: string } | undefined)?.code ?? '';
    const connect = CONNECT_CODES.has(code) || error instanceof undiciErrors.ConnectTimeoutError;
    result = failure(
      'UPSTREAM_UNAVAILABLE',
      `${call.service} could not be reached`,
      connect ? 'connect' : 'reset',
      {
        cause: error,
      },
    );
  }
  return result;
}
