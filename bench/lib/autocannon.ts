/**
 * Driving autocannon: it runs in a child process (bench/lib/autocannon-worker.ts) so its CPU is
 * the load generator's, not the harness's, and prints one machine-readable line.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runLoadGenerator } from './run-child.ts';
import type { LoadResult } from './types.ts';

/** Marks the line the worker prints. */
export const AUTOCANNON_MARKER = 'AUTOCANNON_JSON ';

/** The installed autocannon's version, or null when it is not installed. */
export function autocannonVersion(): string | null {
  try {
    const pkg = createRequire(import.meta.url)('autocannon/package.json') as { version: string };
    return `autocannon ${pkg.version}`;
  } catch {
    return null;
  }
}

/** The fields of autocannon's result object the harness reads. */
export interface AutocannonSummary {
  duration: number;
  requests: { total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** Turns autocannon's result (latencies in ms, duration in s) into a LoadResult. */
export function fromAutocannon(r: AutocannonSummary): LoadResult {
  return {
    generator: 'autocannon',
    requests: r.requests.total,
    durationS: r.duration,
    rps: r.duration > 0 ? r.requests.total / r.duration : 0,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/** Finds the worker's line in its stdout and parses it. */
export function parseAutocannonOutput(stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith(AUTOCANNON_MARKER));
  if (!line) throw new Error(`autocannon worker printed no result: ${stdout.slice(-300)}`);
  return fromAutocannon(JSON.parse(line.slice(AUTOCANNON_MARKER.length)) as AutocannonSummary);
}

/** Options of one autocannon run (sent to the worker as JSON). */
export interface AutocannonRun {
  baseUrl: string;
  scenario: string;
  connections: number;
  durationS: number;
  headers?: Record<string, string>;
}

const WORKER = fileURLToPath(new URL('./autocannon-worker.ts', import.meta.url));

/** Runs autocannon once in a child process. */
export function runAutocannon(run: AutocannonRun): Promise<LoadResult> {
  return runLoadGenerator(process.execPath, [WORKER, JSON.stringify(run)], parseAutocannonOutput);
}
