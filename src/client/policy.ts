import type { IncomingHttpHeaders } from 'node:http';

/**
 * One request on its way through the client's policies. Policies read it and may narrow it
 * (the deadline policy sets `expiresAt` and `signal`; hedging hands a child copy with its own
 * signal to each attempt). `tried` is shared by all attempts of one request so the balancer can
 * prefer an instance not tried yet.
 */
export interface Call {
  readonly service: string;
  readonly method: string;
  /** Path with the query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, or undefined for no body. */
  readonly body: string | undefined;
  /** GET, HEAD, PUT, DELETE, or any method with an Idempotency-Key. */
  readonly idempotent: boolean;
  /** The caller asked for a hedged read. */
  readonly hedge: boolean;
  /** True for the second attempt of a hedged read. */
  readonly hedged?: boolean;
  /** This layer may retry: retries are on and no caller upstream of us retries already. */
  readonly mayRetry: boolean;
  /** performance.now() after which nobody waits; set by the deadline policy. */
  expiresAt: number;
  /** Aborts when the caller gives up or the deadline passes. */
  signal: AbortSignal;
  /** Ids of the instances already tried by this request. */
  readonly tried: Set<string>;
}

/** What a successful call resolves with. */
export interface ClientResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

/** Sends a call on; the innermost handler performs one attempt. */
export type Handler = (call: Call) => Promise<ClientResponse>;

/** One layer of behaviour: takes the next handler, returns a handler. */
export type Policy = (next: Handler) => Handler;

/** Wraps `terminal` so that the first policy listed is the outermost. */
export function compose(policies: readonly Policy[], terminal: Handler): Handler {
  let handler = terminal;
  for (let i = policies.length - 1; i >= 0; i--) handler = policies[i](handler);
  return handler;
}
