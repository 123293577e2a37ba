import { AsyncLocalStorage } from 'node:async_hooks';
import type { Deadline } from './deadline.ts';

/** Header carrying the request id, echoed to callers and passed to every upstream. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an inbound request hands to the work it causes: the id for logs, its deadline, a signal
 * that aborts when the caller is gone or the deadline passed, and headers that must travel on
 * to upstream calls (retry marker, trace context). Set by the service kit, read by the client.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly deadline: Deadline | undefined;
  readonly signal: AbortSignal;
  /** Headers to forward on every outbound call made on behalf of this request. */
  readonly propagate: Readonly<Record<string, string>>;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `context` as the current request context. */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The request context of the work in progress, if any. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}
