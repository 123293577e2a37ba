/** Pure summaries of a run's samples: medians and ratios to `hand` within the same round. */
import type { RunResult, Sample } from './types.ts';

/** The stack every ratio is taken against. */
export const BASELINE_STACK = 'hand';

/** Median of the finite values; null when there are none. */
export function median(values: readonly (number | null | undefined)[]): number | null {
  const xs = values
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/**
 * Each sample's req/s divided by the baseline's req/s for the same scenario in the same round, so
 * a slow spell on the machine moves both sides of a ratio. Null where the round has no baseline.
 */
export function roundRatios(
  samples: readonly Sample[],
  baseline = BASELINE_STACK,
): Map<Sample, number | null> {
  const base = new Map<string, number>();
  for (const s of samples) if (s.stack === baseline) base.set(`${s.round}/${s.scenario}`, s.load.rps);
  const out = new Map<Sample, number | null>();
  for (const s of samples) {
    const b = base.get(`${s.round}/${s.scenario}`);
    out.set(s, b ? s.load.rps / b : null);
  }
  return out;
}

/** One row of a scenario's table. */
export interface StackSummary {
  stack: string;
  samples: number;
  disturbed: number;
  medianRps: number | null;
  /** Median over rounds of the per-round ratio to the baseline. */
  ratio: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  non2xx: number;
  errors: number;
  cpuUsPerReq: number | null;
  /** Median CPU of the whole stack (gateway and owners) per request, in µs. */
  stackCpuUsPerReq: number | null;
  /** Largest gateway peak RSS seen, in MiB. */
  peakRssMb: number | null;
}

/** Summarises one scenario, one row per stack in the run's stack order. */
export function summarizeScenario(result: RunResult, scenario: string): StackSummary[] {
  const samples = result.samples.filter((s) => s.scenario === scenario);
  const ratios = roundRatios(samples);
  return result.stacks
    .filter((st) => st.available)
    .map((st) => {
      const mine = samples.filter((s) => s.stack === st.name);
      const rss = mine.map((s) => s.gatewayPeakRssKb).filter((v): v is number => v !== null);
      return {
        stack: st.name,
        samples: mine.length,
        disturbed: mine.filter((s) => s.disturbed.length > 0).length,
        medianRps: median(mine.map((s) => s.load.rps)),
        ratio: median(mine.map((s) => ratios.get(s))),
        p50Ms: median(mine.map((s) => s.load.p50Ms)),
        p99Ms: median(mine.map((s) => s.load.p99Ms)),
        non2xx: mine.reduce((n, s) => n + s.load.non2xx, 0),
        errors: mine.reduce((n, s) => n + s.load.errors, 0),
        cpuUsPerReq: median(mine.map((s) => s.gatewayCpuUsPerReq)),
        stackCpuUsPerReq: median(mine.map((s) => s.stackCpuUsPerReq ?? null)),
        peakRssMb: rss.length ? Math.max(...rss) / 1024 : null,
      };
    })
    .filter((row) => row.samples > 0);
}
