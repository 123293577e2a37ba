import { Pool } from 'undici';
import { seededRandom } from '../../examples/shop/seed-data.ts';
import { DEADLINE_HEADER } from '../../src/context/index.ts';

/** One request of a load run, as the caller saw it. */
export interface Outcome {
  /** ms since the run began, when the request was sent. */
  readonly sentAt: number;
  /** ms from send to the last byte of the answer (or to the error). */
  readonly latencyMs: number;
  /** HTTP status, or 0 when no answer came (connection error, client timeout). */
  readonly status: number;
  /** The problem+json `code` of an error answer. */
  readonly code: string | undefined;
  readonly retryAfter: string | undefined;
}

/** Options of {@link runFixedRate}. */
export interface FixedRateOptions {
  /** Base URL of the target. */
  readonly url: string;
  /** Requests per second, sent on schedule whether or not earlier ones have answered (open loop). */
  readonly rate: number;
  readonly durationMs: number;
  /** The path of request number i. */
  readonly path: (i: number) => string;
  /** Sent as `x-weft-deadline-ms`; the client gives up a second after it. */
  readonly deadlineMs: number;
  /** Sockets: enough that requests never wait in the load generator for one. */
  readonly connections?: number;
  /** Called every few ms with the time since start; for faults injected mid-run. */
  readonly onTick?: (elapsedMs: number) => void;
  /** Ends the run early once this answers true (checked every tick). */
  readonly stopWhen?: (elapsedMs: number) => boolean;
}

/**
 * Offers load at a fixed rate (open loop: a slow answer does not slow the sender down, so
 * coordinated omission cannot hide a stall) and records every request's outcome. Loopback only.
 */
export async function runFixedRate(options: FixedRateOptions): Promise<Outcome[]> {
  const pool = new Pool(options.url, {
    connections: options.connections ?? 256,
    pipelining: 1,
    keepAliveTimeout: 10_000,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const outcomes: Outcome[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  let sent = 0;
  const one = async (i: number): Promise<void> => {
    const sentAt = performance.now();
    let status = 0;
    let code: string | undefined;
    let retryAfter: string | undefined;
    try {
      const answer = await pool.request({
        method: 'GET',
        path: options.path(i),
        headers: { [DEADLINE_HEADER]: String(options.deadlineMs) },
        signal: AbortSignal.timeout(options.deadlineMs + 1_000),
      });
      status = answer.statusCode;
      const text = await answer.body.text();
      const header = answer.headers['retry-after'];
      retryAfter = typeof header === 'string' ? header : undefined;
      if (status >= 400) code = problemCode(text);
    } catch (error) {
      code = (error as { code?: string }).code ?? (error as Error).name;
    }
    outcomes.push({
      sentAt: sentAt - started,
      latencyMs: performance.now() - sentAt,
      status,
      code,
      retryAfter,
    });
  };
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const elapsed = performance.now() - started;
      options.onTick?.(elapsed);
      if (elapsed >= options.durationMs || options.stopWhen?.(elapsed) === true) {
        clearInterval(tick);
        resolve();
        return;
      }
      // Catch up on the schedule: a late tick sends every request that is due.
      const due = Math.floor((elapsed / 1000) * options.rate);
      while (sent < due) pending.push(one(sent++));
    }, 5);
  });
  await Promise.all(pending);
  await pool.close();
  return outcomes;
}

function problemCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** The q-quantile (0..1) of the values; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** A composed-route path for a random seeded user and one of its own orders. */
export function composedPath(random: () => number): string {
  const user = 1 + Math.floor(random() * 1000);
  const order = (user - 1) * 20 + 1 + Math.floor(random() * 20);
  return `/v1/users/usr_${String(user).padStart(4, '0')}/orders/ord_${String(order).padStart(5, '0')}`;
}

/** Samples of one metric from Prometheus text, by their label sets. */
export function metricSamples(
  text: string,
  name: string,
): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    out.push({ labels, value: Number(match[4]) });
  }
  return out;
}

/** The sum of a metric's samples whose labels include `where`. */
export function metricSum(text: string, name: string, where: Record<string, string> = {}): number {
  return metricSamples(text, name)
    .filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** GET the Prometheus text of a service. */
export async function scrape(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  return response.text();
}

/** A deterministic pseudo-random generator, so a failing run can be replayed. */
export const seeded = seededRandom;
