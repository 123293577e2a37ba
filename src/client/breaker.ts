import { BrokenCircuitError, CircuitState, circuitBreaker, handleWhen, SamplingBreaker } from 'cockatiel';
import type { BreakerState, ClientEvent } from './events.ts';
import { failure, failureOf, isGatewayFailure } from './failure.ts';
import type { ResolvedOptions } from './options.ts';
import type { Policy } from './policy.ts';

const STATES: Record<number, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * One circuit breaker per upstream, on cockatiel's: a time-sliced sampling window gives the
 * failure rate, the minimum request count becomes its minimum rate, and after `openMs` one
 * half-open probe decides between closing and opening again. Only gateway failures (connect,
 * reset, timeout, 5xx) count; a 404 is an answer, not an outage, and the caller's own expired
 * deadline says nothing about the upstream.
 */
export class Breaker {
  readonly #policy: ReturnType<typeof circuitBreaker>;
  #state: BreakerState = 'closed';
  #openedAt = 0;
  readonly #openMs: number;

  constructor(
    options: Exclude<ResolvedOptions['breaker'], false>,
    service: string,
    emit: (e: ClientEvent) => void,
  ) {
    this.#openMs = options.openMs;
    this.#policy = circuitBreaker(
      handleWhen((error) => isGatewayFailure(failureOf(error)?.kind)),
      {
        halfOpenAfter: options.openMs,
        breaker: new SamplingBreaker({
          threshold: options.failureRate,
          duration: options.windowMs,
          minimumRps: options.minimumRequests / (options.windowMs / 1000),
        }),
      },
    );
    this.#policy.onStateChange((state) => {
      this.#state = STATES[state] ?? 'open';
      if (this.#state === 'open') this.#openedAt = Date.now();
      emit({ type: 'breaker', service, state: this.#state });
    });
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** The policy: fails fast with CIRCUIT_OPEN (503, Retry-After until the next probe) while open. */
  policy(service: string): Policy {
    return (next) => async (call) => {
      try {
        return await this.#policy.execute(() => next(call));
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          const waitS = Math.max(1, Math.ceil((this.#openedAt + this.#openMs - Date.now()) / 1000));
          throw failure('CIRCUIT_OPEN', `The circuit to ${service} is open`, 'circuit_open', {
            headers: { 'retry-after': String(waitS) },
          });
        }
        throw error;
      }
    };
  }
}
