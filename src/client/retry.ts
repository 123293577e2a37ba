import type { WeftError } from '../errors/index.ts';
import type { ClientEvent } from './events.ts';
import { failure, failureOf } from './failure.ts';
import type { ResolvedOptions } from './options.ts';
import type { Policy } from './policy.ts';
import type { TokenBudget } from './retry-budget.ts';

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** True for outcomes worth another attempt: no answer (connect, reset, timeout) or 429/502/503/504. */
export function isRetryableOutcome(error: WeftError): boolean {
  const kind = failureOf(error)?.kind;
  if (kind === 'connect' || kind === 'reset' || kind === 'timeout') return true;
  if (kind !== 'http_5xx' && kind !== 'http_429') return false;
  // An upstream that says the deadline passed is right about ours too.
  return RETRYABLE_STATUS.has(error.status) && error.code !== 'DEADLINE_EXCEEDED';
}

/**
 * Retries idempotent calls on retryable outcomes, within the attempt limit, the caller's
 * deadline and the upstream's retry budget. The delay is full jitter (uniform below
 * base × 2^n, capped) unless the upstream named one with Retry-After; a delay that would end
 * past the deadline is not waited for. Each retry goes to an instance not tried yet when there
 * is one (the balancer reads `call.tried`).
 */
export function retryPolicy(
  options: Exclude<ResolvedOptions['retry'], false>,
  budget: TokenBudget,
  emit: (event: ClientEvent) => void,
  random: () => number = Math.random,
): Policy {
  return (next) => async (call) => {
    budget.deposit();
    if (!call.mayRetry || !call.idempotent) return next(call);
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(call);
      } catch (error) {
        const weft = error as WeftError;
        if (attempt >= options.maxAttempts || !isRetryableOutcome(weft)) throw error;
        const retryAfterMs = failureOf(weft)?.retryAfterMs;
        const delayMs =
          retryAfterMs ??
          random() * Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** (attempt - 1));
        if (performance.now() + delayMs >= call.expiresAt) throw error;
        if (!budget.tryWithdraw()) {
          emit({ type: 'budget-exhausted', service: call.service });
          throw error;
        }
        emit({ type: 'retry', service: call.service, attempt: attempt + 1, code: weft.code, delayMs });
        await sleep(delayMs, call.signal, call.service);
      }
    }
  };
}

function sleep(ms: number, signal: AbortSignal, service: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(
        failure('DEADLINE_EXCEEDED', `The deadline passed while waiting to retry ${service}`, 'deadline'),
      );
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // Not unref'd: this wait is part of a call someone awaits, bounded by its deadline.
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
