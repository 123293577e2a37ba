import { failure } from './failure.ts';
import type { Policy } from './policy.ts';

/**
 * Outermost policy: turns `call.expiresAt` (the earliest of the caller's deadline, the request
 * context's and the client's timeout) into the signal every inner layer honours, and refuses to
 * start a call whose deadline has already passed or whose caller has gone. The timer is
 * released when the call ends.
 */
export function deadlinePolicy(): Policy {
  return (next) => async (call) => {
    const remaining = call.expiresAt - performance.now();
    if (remaining <= 0 || call.signal.aborted) {
      throw failure('DEADLINE_EXCEEDED', `The deadline passed before ${call.service} was called`, 'deadline');
    }
    const timer = new AbortController();
    const handle = setTimeout(() => timer.abort(deadlineReason()), remaining);
    handle.unref();
    call.signal = AbortSignal.any([timer.signal, call.signal]);
    try {
      return await next(call);
    } finally {
      clearTimeout(handle);
    }
  };
}

function deadlineReason(): Error {
  const error = new Error('deadline exceeded');
  error.name = 'TimeoutError';
  return error;
}
