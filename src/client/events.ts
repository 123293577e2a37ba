/** Why an attempt or request failed, as counted by metrics. */
export type FailureKind =
  | 'connect'
  | 'reset'
  | 'timeout'
  | 'http_5xx'
  | 'http_429'
  | 'http_4xx'
  | 'bad_response'
  | 'deadline'
  | 'no_instance'
  | 'circuit_open'
  | 'bulkhead_full'
  | 'cancelled';

/** Circuit breaker states, as a union. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Everything the client reports: metrics, logs and dashboards subscribe to these rather than
 * reaching into the client's state. Listeners run synchronously and must not throw.
 */
export type ClientEvent =
  | {
      type: 'attempt';
      service: string;
      instance: string;
      ok: boolean;
      kind: FailureKind | undefined;
      status: number | undefined;
      durationMs: number;
      hedged: boolean;
    }
  | {
      type: 'request';
      service: string;
      ok: boolean;
      code: string | undefined;
      kind: FailureKind | undefined;
      durationMs: number;
    }
  | { type: 'retry'; service: string; attempt: number; code: string; delayMs: number }
  | { type: 'budget-exhausted'; service: string }
  | { type: 'hedge'; service: string }
  | { type: 'breaker'; service: string; state: BreakerState }
  | { type: 'ejected'; service: string; instance: string; durationMs: number; ejections: number }
  | { type: 'returned'; service: string; instance: string }
  | { type: 'health'; service: string; instance: string; healthy: boolean }
  | { type: 'bulkhead-rejected'; service: string };

/** A listener of client events. */
export type ClientEventListener = (event: ClientEvent) => void;
