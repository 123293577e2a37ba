import type { Registry } from '../registry/index.ts';
import type { ClientEventListener } from './events.ts';

// Defaults, each with its reason. Times in ms.
/** Whole-call budget when neither the caller nor the request context sets a deadline: nothing waits forever. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** One attempt's budget; below the whole call's, so a hung instance leaves time for a retry elsewhere. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 2_000;
/** Subtracted from the budget sent upstream: the time the answer needs to travel back. */
export const DEFAULT_DEADLINE_MARGIN_MS = 10;
/** TCP connect budget; a healthy local peer connects in well under a millisecond. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
/** Sockets per instance; enough for a busy gateway, bounded so one instance cannot take all fds. */
export const DEFAULT_CONNECTIONS = 64;
/** HTTP/1.1 pipelining depth; 1 (off) because a slow answer would block the ones queued behind it. */
export const DEFAULT_PIPELINING = 1;
/** Idle keep-alive; under Node's server default (5 s) so we never reuse a socket the server is closing. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 4_000;
/** Warm-up of a new instance: its share ramps from 10% to full over this time (JIT, caches, pools). */
export const DEFAULT_SLOW_START_MS = 5_000;
/** Time constant of the latency EWMA: long enough to smooth noise, short enough to follow a slowdown. */
export const DEFAULT_EWMA_DECAY_MS = 10_000;
/** At most three attempts: a third rarely helps, a fourth only adds load to a struggling upstream. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** First backoff cap; full jitter draws uniformly below it, doubling per attempt. */
export const DEFAULT_BACKOFF_BASE_MS = 25;
/** Backoff ceiling: beyond a second the caller's deadline is usually the better judge. */
export const DEFAULT_BACKOFF_MAX_MS = 1_000;
/** Retries may add at most 20% to the requests an upstream sees (Finagle's default ratio). */
export const DEFAULT_RETRY_BUDGET_RATIO = 0.2;
/** ...plus 10 retries per second, so a quiet client can still retry a rare failure. */
export const DEFAULT_RETRY_BUDGET_MIN_PER_SECOND = 10;
/** Failure rate over the window that opens the breaker: half the calls failing is an outage, not noise. */
export const DEFAULT_BREAKER_FAILURE_RATE = 0.5;
/** Breaker sliding window: ten seconds of history. */
export const DEFAULT_BREAKER_WINDOW_MS = 10_000;
/** Calls needed in the window before the rate counts, so two failures of three never open it. */
export const DEFAULT_BREAKER_MINIMUM_REQUESTS = 20;
/** Open time before a half-open probe; also the probe interval while the upstream stays down. */
export const DEFAULT_BREAKER_OPEN_MS = 5_000;
/** Concurrent calls per upstream; past this the upstream is slow, and more calls make it slower. */
export const DEFAULT_BULKHEAD_MAX_CONCURRENT = 256;
/** Calls allowed to wait for a slot; bounded so overload fails fast instead of queuing without bound. */
export const DEFAULT_BULKHEAD_MAX_QUEUE = 256;
/** Consecutive gateway failures (connect, reset, timeout, 5xx) that eject an instance (Envoy's default). */
export const DEFAULT_EJECTION_CONSECUTIVE_FAILURES = 5;
/** First ejection time; multiplied by the number of ejections so a flapping instance stays out longer. */
export const DEFAULT_EJECTION_BASE_MS = 30_000;
/** Longest ejection, so an instance always gets another chance. */
export const DEFAULT_EJECTION_MAX_MS = 300_000;
/** Never eject more than this share of instances: ejecting them all would turn a partial outage total. */
export const DEFAULT_MAX_EJECTED_RATIO = 0.5;
/** Hedged requests may add at most 10% load. */
export const DEFAULT_HEDGE_MAX_RATIO = 0.1;
/** Latency samples needed before the p95 is trusted for hedging. */
export const DEFAULT_HEDGE_MIN_SAMPLES = 20;
/** Path probed by active health checks; the service kit answers 200 when ready. */
export const DEFAULT_HEALTH_PATH = '/readyz';
/** A health check slower than this counts as a failure. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1_000;

/** Retry policy options; `false` disables retries. */
export interface RetryOptions {
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Retries as a share of requests (token bucket). */
  budgetRatio?: number;
  /** Retries always allowed per second, whatever the request rate. */
  budgetMinPerSecond?: number;
}

/** Circuit breaker options; `false` disables the breaker. */
export interface BreakerOptions {
  failureRate?: number;
  windowMs?: number;
  minimumRequests?: number;
  openMs?: number;
}

/** Bulkhead options; `false` disables it. */
export interface BulkheadOptions {
  maxConcurrent?: number;
  maxQueue?: number;
}

/** Passive outlier ejection options; `false` disables it. */
export interface OutlierOptions {
  consecutiveFailures?: number;
  baseEjectionMs?: number;
  maxEjectionMs?: number;
  maxEjectedRatio?: number;
}

/** Hedging options (hedging itself is asked for per request). */
export interface HedgeOptions {
  maxRatio?: number;
  minSamples?: number;
}

/** Active health check options; absent means no active checks. */
export interface HealthCheckOptions {
  intervalMs: number;
  path?: string;
  timeoutMs?: number;
}

/** Options of {@link createServiceClient}. */
export interface ServiceClientOptions {
  /** Name of the upstream service, as known to the registry. */
  service: string;
  registry: Registry;
  /** `p2c` (default): power of two choices over EWMA latency × (in-flight + 1). */
  balancer?: 'p2c' | 'round-robin';
  timeoutMs?: number;
  attemptTimeoutMs?: number;
  deadlineMarginMs?: number;
  connectTimeoutMs?: number;
  connections?: number;
  pipelining?: number;
  keepAliveTimeoutMs?: number;
  slowStartMs?: number;
  ewmaDecayMs?: number;
  retry?: RetryOptions | false;
  breaker?: BreakerOptions | false;
  bulkhead?: BulkheadOptions | false;
  outlier?: OutlierOptions | false;
  hedge?: HedgeOptions;
  healthCheck?: HealthCheckOptions;
  /** Headers sent on every call (for example an API key). */
  headers?: Record<string, string>;
  /** Receives every client event (see {@link ClientEvent}). */
  onEvent?: ClientEventListener;
}

/** The validated, frozen options every part of the client reads. */
export interface ResolvedOptions {
  readonly service: string;
  readonly registry: Registry;
  readonly balancer: 'p2c' | 'round-robin';
  readonly timeoutMs: number;
  readonly attemptTimeoutMs: number;
  readonly deadlineMarginMs: number;
  readonly connectTimeoutMs: number;
  readonly connections: number;
  readonly pipelining: number;
  readonly keepAliveTimeoutMs: number;
  readonly slowStartMs: number;
  readonly ewmaDecayMs: number;
  readonly retry: Readonly<Required<RetryOptions>> | false;
  readonly breaker: Readonly<Required<BreakerOptions>> | false;
  readonly bulkhead: Readonly<Required<BulkheadOptions>> | false;
  readonly outlier: Readonly<Required<OutlierOptions>> | false;
  readonly hedge: Readonly<Required<HedgeOptions>>;
  readonly healthCheck: Readonly<Required<HealthCheckOptions>> | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly onEvent: ClientEventListener | undefined;
}

/** Validates options once, at construction; every message names the option and the bad value. */
export function resolveOptions(options: ServiceClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { service, registry } = options;
  if (typeof service !== 'string' || !/^[A-Za-z0-9_-]+$/.test(service)) {
    throw new TypeError(`options.service must match [A-Za-z0-9_-]+, got ${show(service)}`);
  }
  if (typeof registry?.instances !== 'function' || typeof registry.watch !== 'function') {
    throw new TypeError(`options.registry must be a Registry, got ${show(registry)}`);
  }
  const balancer = options.balancer ?? 'p2c';
  if (balancer !== 'p2c' && balancer !== 'round-robin') {
    throw new TypeError(`options.balancer must be 'p2c' or 'round-robin', got ${show(balancer)}`);
  }
  const headers = options.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string')
      throw new TypeError(`options.headers.${name} must be a string, got ${show(value)}`);
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new TypeError(`options.onEvent must be a function, got ${show(options.onEvent)}`);
  }
  const section = <T extends object>(value: T | false | undefined, name: string): Partial<T> | false => {
    if (value === false) return false;
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null)
      throw new TypeError(`options.${name} must be an object or false, got ${show(value)}`);
    return value;
  };
  const retry = section(options.retry, 'retry');
  const breaker = section(options.breaker, 'breaker');
  const bulkhead = section(options.bulkhead, 'bulkhead');
  const outlier = section(options.outlier, 'outlier');
  const hedge = section(options.hedge, 'hedge') || {};
  const hc = options.healthCheck;
  const resolved: ResolvedOptions = {
    service,
    registry,
    balancer,
    timeoutMs: ms(options.timeoutMs, 'timeoutMs', DEFAULT_TIMEOUT_MS),
    attemptTimeoutMs: ms(options.attemptTimeoutMs, 'attemptTimeoutMs', DEFAULT_ATTEMPT_TIMEOUT_MS),
    deadlineMarginMs: ms(options.deadlineMarginMs, 'deadlineMarginMs', DEFAULT_DEADLINE_MARGIN_MS, 0),
    connectTimeoutMs: ms(options.connectTimeoutMs, 'connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS),
    connections: int(options.connections, 'connections', DEFAULT_CONNECTIONS, 1),
    pipelining: int(options.pipelining, 'pipelining', DEFAULT_PIPELINING, 1),
    keepAliveTimeoutMs: ms(options.keepAliveTimeoutMs, 'keepAliveTimeoutMs', DEFAULT_KEEP_ALIVE_TIMEOUT_MS),
    slowStartMs: ms(options.slowStartMs, 'slowStartMs', DEFAULT_SLOW_START_MS, 0),
    ewmaDecayMs: ms(options.ewmaDecayMs, 'ewmaDecayMs', DEFAULT_EWMA_DECAY_MS),
    retry: retry && {
      maxAttempts: int(retry.maxAttempts, 'retry.maxAttempts', DEFAULT_MAX_ATTEMPTS, 1, 10),
      backoffBaseMs: ms(retry.backoffBaseMs, 'retry.backoffBaseMs', DEFAULT_BACKOFF_BASE_MS, 0),
      backoffMaxMs: ms(retry.backoffMaxMs, 'retry.backoffMaxMs', DEFAULT_BACKOFF_MAX_MS, 0),
      budgetRatio: ratio(retry.budgetRatio, 'retry.budgetRatio', DEFAULT_RETRY_BUDGET_RATIO),
      budgetMinPerSecond: num(
        retry.budgetMinPerSecond,
        'retry.budgetMinPerSecond',
        DEFAULT_RETRY_BUDGET_MIN_PER_SECOND,
        0,
      ),
    },
    breaker: breaker && {
      failureRate: ratio(breaker.failureRate, 'breaker.failureRate', DEFAULT_BREAKER_FAILURE_RATE, true),
      windowMs: ms(breaker.windowMs, 'breaker.windowMs', DEFAULT_BREAKER_WINDOW_MS),
      minimumRequests: int(
        breaker.minimumRequests,
        'breaker.minimumRequests',
        DEFAULT_BREAKER_MINIMUM_REQUESTS,
        1,
      ),
      openMs: ms(breaker.openMs, 'breaker.openMs', DEFAULT_BREAKER_OPEN_MS),
    },
    bulkhead: bulkhead && {
      maxConcurrent: int(
        bulkhead.maxConcurrent,
        'bulkhead.maxConcurrent',
        DEFAULT_BULKHEAD_MAX_CONCURRENT,
        1,
      ),
      maxQueue: int(bulkhead.maxQueue, 'bulkhead.maxQueue', DEFAULT_BULKHEAD_MAX_QUEUE, 0),
    },
    outlier: outlier && {
      consecutiveFailures: int(
        outlier.consecutiveFailures,
        'outlier.consecutiveFailures',
        DEFAULT_EJECTION_CONSECUTIVE_FAILURES,
        1,
      ),
      baseEjectionMs: ms(outlier.baseEjectionMs, 'outlier.baseEjectionMs', DEFAULT_EJECTION_BASE_MS),
      maxEjectionMs: ms(outlier.maxEjectionMs, 'outlier.maxEjectionMs', DEFAULT_EJECTION_MAX_MS),
      maxEjectedRatio: ratio(outlier.maxEjectedRatio, 'outlier.maxEjectedRatio', DEFAULT_MAX_EJECTED_RATIO),
    },
    hedge: {
      maxRatio: ratio(hedge.maxRatio, 'hedge.maxRatio', DEFAULT_HEDGE_MAX_RATIO),
      minSamples: int(hedge.minSamples, 'hedge.minSamples', DEFAULT_HEDGE_MIN_SAMPLES, 1),
    },
    healthCheck:
      hc === undefined
        ? undefined
        : {
            intervalMs: ms(hc.intervalMs, 'healthCheck.intervalMs', Number.NaN),
            path: healthPath(hc.path),
            timeoutMs: ms(hc.timeoutMs, 'healthCheck.timeoutMs', DEFAULT_HEALTH_TIMEOUT_MS),
          },
    headers: Object.freeze({ ...headers }),
    onEvent: options.onEvent,
  };
  for (const key of ['retry', 'breaker', 'bulkhead', 'outlier', 'hedge', 'healthCheck'] as const) {
    if (resolved[key]) Object.freeze(resolved[key]);
  }
  return Object.freeze(resolved);
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function num(value: unknown, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) {
    if (Number.isNaN(fallback)) throw new TypeError(`options.${name} is required`);
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`options.${name} must be a number in ${min}..${max}, got ${show(value)}`);
  }
  return value;
}

function int(value: unknown, name: string, fallback: number, min = 0, max = 1_000_000): number {
  const n = num(value, name, fallback, min, max);
  if (!Number.isInteger(n)) throw new TypeError(`options.${name} must be an integer, got ${show(value)}`);
  return n;
}

function ms(value: unknown, name: string, fallback: number, min = 1): number {
  return num(value, name, fallback, min, 2_147_483_647);
}

function ratio(value: unknown, name: string, fallback: number, open = false): number {
  const n = num(value, name, fallback, 0, 1);
  if (open && (n === 0 || n === 1))
    throw new TypeError(`options.${name} must be strictly between 0 and 1, got ${n}`);
  return n;
}

function healthPath(value: unknown): string {
  if (value === undefined) return DEFAULT_HEALTH_PATH;
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new TypeError(`options.healthCheck.path must start with '/', got ${show(value)}`);
  }
  return value;
}
