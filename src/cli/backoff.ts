/** How a crashed process is restarted. */
export interface BackoffPolicy {
  /** Delay before the first restart. */
  readonly initialMs: number;
  /** The delay doubles per consecutive crash up to this. */
  readonly maxMs: number;
  /** A process that stayed up this long is healthy again: its next crash restarts after `initialMs`. */
  readonly resetAfterMs: number;
}

/** Quick enough that a one-off crash is barely noticed, slow enough that a crash loop does not spin. */
export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({
  initialMs: 250,
  maxMs: 10_000,
  resetAfterMs: 30_000,
});

/** The delay before restart number `attempt` (1 for the first restart after a healthy run). */
export function restartDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
}
