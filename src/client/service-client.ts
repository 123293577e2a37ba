import type { IncomingHttpHeaders } from 'node:http';
import { currentContext, REQUEST_ID_HEADER } from '../context/index.ts';
import { WeftError } from '../errors/index.ts';
import { sendAttempt } from './attempt.ts';
import { Breaker } from './breaker.ts';
import { Bulkhead } from './bulkhead.ts';
import { deadlinePolicy } from './deadline-policy.ts';
import type { BreakerState, ClientEvent, ClientEventListener } from './events.ts';
import { failureOf } from './failure.ts';
import { hedgePolicy } from './hedge.ts';
import { LatencyWindow } from './latency-window.ts';
import { type ResolvedOptions, resolveOptions, type ServiceClientOptions } from './options.ts';
import { type Call, type ClientResponse, compose, type Handler, type Policy } from './policy.ts';
import { retryPolicy } from './retry.ts';
import { TokenBudget } from './retry-budget.ts';
import { Upstream } from './upstream.ts';

/** Marks a request whose sender retries; a client whose request context carries it does not. */
export const RETRY_LAYER_HEADER = 'x-weft-retry-layer';

/** One request to the upstream. */
export interface ServiceRequest {
  method?: string;
  /** Path on the instance, starting with `/`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** This call's budget; the earliest of it, the request context's deadline and `timeoutMs` wins. */
  deadlineMs?: number;
  /** Makes a POST (or PATCH) idempotent, hence retryable; sent as `Idempotency-Key`. */
  idempotencyKey?: string;
  /** Ask for a hedged second attempt (idempotent reads only). */
  hedge?: boolean;
}

/** Options of the `get` shorthand. */
export type GetOptions = Omit<ServiceRequest, 'method' | 'body' | 'path'>;

/** What `request` resolves with. */
export interface ServiceResponse<T> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

/** Per-instance state, for /metrics and dashboards. */
export interface InstanceStats {
  readonly id: string;
  readonly url: string;
  readonly inFlight: number;
  readonly ewmaMs: number | undefined;
  readonly ejected: boolean;
  readonly ejections: number;
  readonly healthy: boolean;
  readonly consecutiveFailures: number;
}

/** A snapshot of the client's state. */
export interface ClientStats {
  readonly service: string;
  readonly breaker: BreakerState;
  readonly bulkhead: { readonly active: number; readonly queued: number };
  /** Observed attempt latency quantiles in ms (undefined before the first answer). */
  readonly latencyMs: { readonly p50: number | undefined; readonly p95: number | undefined };
  readonly instances: readonly InstanceStats[];
}

/** A resilient client of one upstream service. */
export interface ServiceClient {
  readonly service: string;
  /** Sends one request through the policies; resolves on 2xx/304, rejects with a WeftError otherwise. */
  request<T = unknown>(req: ServiceRequest): Promise<ServiceResponse<T>>;
  /** GET, resolving with the body only. */
  get<T = unknown>(path: string, options?: GetOptions): Promise<T>;
  /** Per-instance and breaker state. */
  stats(): ClientStats;
  /** Subscribes to client events; returns an unsubscribe. */
  onEvent(listener: ClientEventListener): () => void;
  /** Stops timers and closes every connection. */
  close(): Promise<void>;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const NEVER = new AbortController().signal;

/** Internal: what the policy builders get to see. */
export interface ClientParts {
  readonly options: ResolvedOptions;
  readonly upstream: Upstream;
  readonly latency: LatencyWindow;
  readonly emit: (event: ClientEvent) => void;
}

/**
 * Creates a client of one upstream. The policies run in this order, outermost first:
 *
 *   deadline ▶ bulkhead ▶ breaker ▶ retry (budget) ▶ hedge ▶ balancer pick ▶ attempt
 *
 * The deadline is outermost so that time spent queued in the bulkhead counts; the breaker sits
 * above retry so one request counts once, however many attempts it took, and an open circuit
 * costs no budget; hedging is below retry so a hedged pair is one attempt to the retry layer.
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const resolved = resolveOptions(options);
  const listeners = new Set<ClientEventListener>();
  if (resolved.onEvent) listeners.add(resolved.onEvent);
  const emit = (event: ClientEvent): void => {
    for (const listener of listeners) listener(event);
  };
  const upstream = new Upstream(resolved, emit);
  const latency = new LatencyWindow();
  const parts: ClientParts = { options: resolved, upstream, latency, emit };
  const policies: Policy[] = [deadlinePolicy()];
  const bulkhead = resolved.bulkhead
    ? new Bulkhead(resolved.bulkhead.maxConcurrent, resolved.bulkhead.maxQueue)
    : undefined;
  if (bulkhead) {
    policies.push(
      bulkhead.policy(resolved.service, () => emit({ type: 'bulkhead-rejected', service: resolved.service })),
    );
  }
  const breaker = resolved.breaker ? new Breaker(resolved.breaker, resolved.service, emit) : undefined;
  if (breaker) policies.push(breaker.policy(resolved.service));
  if (resolved.retry) {
    const budget = new TokenBudget(resolved.retry.budgetRatio, resolved.retry.budgetMinPerSecond);
    policies.push(retryPolicy(resolved.retry, budget, emit));
  }
  policies.push(hedgePolicy(resolved.hedge, latency, () => upstream.endpoints.length, emit));
  const handler = compose(policies, pickAndSend(parts));

  async function request<T>(req: ServiceRequest): Promise<ServiceResponse<T>> {
    const call = buildCall(req, resolved);
    const start = performance.now();
    try {
      const response = await handler(call);
      emit({
        type: 'request',
        service: resolved.service,
        ok: true,
        code: undefined,
        kind: undefined,
        durationMs: performance.now() - start,
      });
      return response as ClientResponse<T>;
    } catch (error) {
      const weft = WeftError.from(error);
      emit({
        type: 'request',
        service: resolved.service,
        ok: false,
        code: weft.code,
        kind: failureOf(weft)?.kind,
        durationMs: performance.now() - start,
      });
      throw weft;
    }
  }

  return {
    service: resolved.service,
    request,
    get: async <T>(path: string, opts: GetOptions = {}) =>
      (await request<T>({ ...opts, path, method: 'GET' })).body,
    stats: () => ({
      service: resolved.service,
      breaker: breaker?.state ?? 'closed',
      bulkhead: { active: bulkhead?.active ?? 0, queued: bulkhead?.queued ?? 0 },
      latencyMs: { p50: latency.quantile(0.5), p95: latency.quantile(0.95) },
      instances: upstream.endpoints.map((e) => ({
        id: e.id,
        url: e.instance.url,
        inFlight: e.inFlight,
        ewmaMs: e.ewmaMs,
        ejected: e.isEjected(performance.now()),
        ejections: e.ejections,
        healthy: e.healthy,
        consecutiveFailures: e.consecutiveFailures,
      })),
    }),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => upstream.close(),
  };
}

/** The innermost handler: balancer pick, one attempt, outcome fed to outlier detection. */
export function pickAndSend(parts: ClientParts): Handler {
  return async (call) => {
    const endpoint = parts.upstream.pick(call.tried);
    const start = performance.now();
    try {
      const response = await sendAttempt(endpoint, call, parts.options, parts.emit);
      parts.latency.add(performance.now() - start);
      parts.upstream.record(endpoint, undefined);
      return response;
    } catch (error) {
      parts.upstream.record(endpoint, failureOf(error)?.kind);
      throw error;
    }
  };
}

function buildCall(req: ServiceRequest, options: ResolvedOptions): Call {
  if (typeof req !== 'object' || req === null || typeof req.path !== 'string' || !req.path.startsWith('/')) {
    throw new TypeError(`request.path must start with '/', got ${JSON.stringify(req?.path)}`);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const context = currentContext();
  const headers: Record<string, string> = { ...options.headers };
  if (context) {
    Object.assign(headers, context.propagate);
    headers[REQUEST_ID_HEADER] = context.requestId;
  }
  // Retry at one layer only: the first client on the path that retries marks its requests, and
  // the service kit puts the marker into the propagate headers of the work they cause.
  const mayRetry = options.retry !== false && context?.propagate[RETRY_LAYER_HEADER] === undefined;
  if (mayRetry) headers[RETRY_LAYER_HEADER] = '1';
  if (req.headers) Object.assign(headers, req.headers);
  let body: string | undefined;
  if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] ??= 'application/json';
  }
  headers.accept ??= 'application/json';
  if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey;
  const now = performance.now();
  let expiresAt = now + options.timeoutMs;
  if (req.deadlineMs !== undefined) expiresAt = Math.min(expiresAt, now + req.deadlineMs);
  if (context?.deadline) expiresAt = Math.min(expiresAt, context.deadline.expiresAt);
  const signals = [req.signal, context?.signal].filter((s): s is AbortSignal => s !== undefined);
  return {
    service: options.service,
    method,
    path: withQuery(req.path, req.query),
    headers,
    body,
    idempotent: IDEMPOTENT_METHODS.has(method) || req.idempotencyKey !== undefined,
    hedge: req.hedge === true,
    mayRetry,
    expiresAt,
    signal: signals.length === 0 ? NEVER : signals.length === 1 ? signals[0] : AbortSignal.any(signals),
    tried: new Set(),
  };
}

function withQuery(path: string, query: ServiceRequest['query']): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) params.append(key, String(value));
  const text = params.toString();
  if (text === '') return path;
  return path + (path.includes('?') ? '&' : '?') + text;
}
