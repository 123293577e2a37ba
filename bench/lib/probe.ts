import { seededRandom } from '../../examples/shop/seed-data.ts';
/**
 * The correctness probe run against each stack before it is measured: random picks from the seed
 * (with a fixed PRNG, so every stack is asked the same) and the scenarios' negative cases.
 */
import type { Scenario } from './scenarios.ts';

/** Picks probed per scenario. */
const PROBE_PICKS = 5;

/** What the probe saw: the first failure, and one answer per scenario for shape comparison. */
export interface ProbeResult {
  failure: string | null;
  samples: Map<string, unknown>;
}

/** Probes a stack; never throws. */
export async function probeStack(
  baseUrl: string,
  scenarios: readonly Scenario[],
  headers: Record<string, string> = {},
): Promise<ProbeResult> {
  const samples = new Map<string, unknown>();
  for (const scenario of scenarios) {
    const random = seededRandom(42);
    const picks = [...Array.from({ length: PROBE_PICKS }, () => scenario.pick(random)), ...scenario.negative];
    for (const pick of picks) {
      try {
        const res = await fetch(baseUrl + pick.path, { headers, signal: AbortSignal.timeout(5_000) });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        const problem = scenario.check(pick, res.status, body);
        if (problem) {
          return {
            failure: `${scenario.id} GET ${pick.path}: ${problem} (body: ${text.slice(0, 200)})`,
            samples,
          };
        }
        if (res.status === 200 && !samples.has(scenario.id)) samples.set(scenario.id, body);
      } catch (error) {
        return { failure: `${scenario.id} GET ${pick.path}: ${(error as Error).message}`, samples };
      }
    }
  }
  return { failure: null, samples };
}

/** The set of key paths in a JSON value (array elements collapse to `[]`), for shape comparison. */
export function shapeOf(value: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      if (v.length) walk(v[0], `${path}[]`);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        out.add(`${path}${path ? '.' : ''}${k}`);
        walk(x, `${path}${path ? '.' : ''}${k}`);
      }
    }
  };
  walk(value, prefix);
  return out;
}

/** Key paths present in one shape and not the other, as a readable line; null when equal. */
export function shapeDiff(a: Set<string>, b: Set<string>, aName: string, bName: string): string | null {
  const onlyA = [...a].filter((k) => !b.has(k));
  const onlyB = [...b].filter((k) => !a.has(k));
  if (!onlyA.length && !onlyB.length) return null;
  const parts = [];
  if (onlyA.length) parts.push(`only in ${aName}: ${onlyA.join(', ')}`);
  if (onlyB.length) parts.push(`only in ${bName}: ${onlyB.join(', ')}`);
  return parts.join('; ');
}
