import type { Endpoint } from './endpoint.ts';
import type { ResolvedOptions } from './options.ts';

/** What recording an outcome decided. */
export type EjectionDecision = { eject: false } | { eject: true; durationMs: number };

/**
 * Passive outlier detection, one outcome at a time. After `consecutiveFailures` gateway
 * failures in a row an instance is ejected for base × n (n = its ejection count, capped at
 * max), unless that would leave more than `maxEjectedRatio` of the instances ejected. The count
 * n forgets past ejections once the instance has stayed in for the longest ejection time.
 */
export function recordOutcome(
  endpoint: Endpoint,
  gatewayFailure: boolean,
  all: readonly Endpoint[],
  now: number,
  options: NonNullable<Exclude<ResolvedOptions['outlier'], false>>,
): EjectionDecision {
  if (!gatewayFailure) {
    endpoint.consecutiveFailures = 0;
    return { eject: false };
  }
  endpoint.consecutiveFailures++;
  if (endpoint.consecutiveFailures < options.consecutiveFailures || endpoint.isEjected(now)) {
    return { eject: false };
  }
  let ejected = 0;
  for (const e of all) if (e.isEjected(now)) ejected++;
  if (ejected + 1 > Math.floor(all.length * options.maxEjectedRatio)) return { eject: false };
  if (endpoint.ejections > 0 && now - endpoint.returnedAt > options.maxEjectionMs) endpoint.ejections = 0;
  endpoint.ejections++;
  const durationMs = Math.min(options.baseEjectionMs * endpoint.ejections, options.maxEjectionMs);
  endpoint.ejectedUntil = now + durationMs;
  endpoint.consecutiveFailures = 0;
  return { eject: true, durationMs };
}
