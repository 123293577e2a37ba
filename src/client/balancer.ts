import type { Endpoint } from './endpoint.ts';

/** Chooses the instance for one attempt among the candidates (never empty). */
export type Balancer = (candidates: readonly Endpoint[], now: number) => Endpoint;

/**
 * Power of two choices: draw two distinct candidates at random and take the cheaper, where the
 * cost is EWMA latency × (in-flight + 1). Two random draws avoid the herd that "always the
 * least loaded" causes when every client sees the same numbers, and still steer most traffic
 * away from a slow or busy instance. Slow start: a warming instance that was drawn takes part
 * only with probability equal to its warm-up share, so its traffic ramps from 10% of its fair
 * share up to all of it (dividing its cost instead would starve it whenever load is light).
 * Latency is read decayed for the time since an instance's last answer (see Endpoint.latencyAt),
 * so an instance priced out by one slow answer is tried again once its estimate has faded; and an
 * instance with attempts outstanding is priced at least at how long it has been silent, so one
 * that stopped answering is avoided within milliseconds rather than after its first timeouts.
 */
export function powerOfTwoChoices(
  slowStartMs: number,
  ewmaDecayMs: number,
  random: () => number = Math.random,
): Balancer {
  return (candidates, now) => {
    if (candidates.length === 1) return candidates[0];
    const i = Math.floor(random() * candidates.length);
    let j = Math.floor(random() * (candidates.length - 1));
    if (j >= i) j++;
    const a = candidates[i];
    const b = candidates[j];
    const wa = a.warmth(now, slowStartMs);
    if (wa < 1 && random() > wa) return b;
    const wb = b.warmth(now, slowStartMs);
    if (wb < 1 && random() > wb) return a;
    const fallback = averageLatency(candidates, now, ewmaDecayMs);
    return cost(a, fallback, now, ewmaDecayMs) <= cost(b, fallback, now, ewmaDecayMs) ? a : b;
  };
}

/** Round robin, skipping nothing: the candidates given are already the eligible ones. */
export function roundRobin(): Balancer {
  let next = 0;
  return (candidates) => {
    next = (next + 1) % 1_000_000_000;
    return candidates[next % candidates.length];
  };
}

function cost(endpoint: Endpoint, fallbackMs: number, now: number, decayMs: number): number {
  // An instance without samples is priced at the average, not at zero, so it is not flooded.
  // The +1 ms keeps in-flight counts meaningful between sub-millisecond local instances.
  // An instance silent for longer than its estimate is priced at its silence (pending-aware EWMA).
  const latency = Math.max(endpoint.latencyAt(now, decayMs) ?? fallbackMs, endpoint.silenceAt(now));
  return (latency + 1) * (endpoint.inFlight + 1);
}

function averageLatency(candidates: readonly Endpoint[], now: number, decayMs: number): number {
  let sum = 0;
  let n = 0;
  for (const c of candidates) {
    const latency = c.latencyAt(now, decayMs);
    if (latency !== undefined) {
      sum += latency;
      n++;
    }
  }
  return n === 0 ? 1 : sum / n;
}
