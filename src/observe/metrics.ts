import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Duration buckets in seconds: dense below 100 ms, where a healthy service answers, with a tail
 * up to 10 s so that deadline-bound slow calls are still visible.
 */
export const HTTP_DURATION_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Records one line of HTTP traffic per answered request. */
export interface HttpMetrics {
  /** Counts the request and records its duration; `route` is the route pattern, never the raw URL. */
  observe(method: string, route: string, status: number, seconds: number): void;
}

interface Series {
  readonly count: { inc(): void };
  readonly duration: { observe(value: number): void };
}

/**
 * Registers `http_requests_total` and `http_request_duration_seconds` (labels method, route,
 * status) on `registry`. Label children are cached per method/route/status, so the hot path is
 * one string join and one Map lookup instead of prom-client's per-call label hashing.
 */
export function createHttpMetrics(registry: Registry): HttpMetrics {
  const labelNames = ['method', 'route', 'status'] as const;
  const count = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request start to the last byte of the answer, in seconds',
    labelNames,
    buckets: [...HTTP_DURATION_BUCKETS_SECONDS],
    registers: [registry],
  });
  const series = new Map<string, Series>();
  return {
    observe(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (s === undefined) {
        const labels = { method, route, status: String(status) };
        s = { count: count.labels(labels), duration: duration.labels(labels) };
        series.set(key, s);
      }
      s.count.inc();
      s.duration.observe(seconds);
    },
  };
}
