/**
 * What every peer stack answers, kept in one place so the stacks differ only in framework: the
 * process environment (the same convention as weft's shop processes), the page size rules and the
 * problem+json bodies of the two composed routes.
 */

/** Page size when the caller gives none, as in weft's gateway. */
export const DEFAULT_PAGE_LIMIT = 20;

/** Environment of one peer process, read once at start. */
export interface PeerEnv {
  port: number;
  host: string;
  dataDir: string;
  /** First base URL of each upstream (peers run one instance per owner). */
  upstreams: { users: string; orders: string };
}

/** Reads the weft process convention (PORT, HOST, WEFT_DATA_DIR, WEFT_UPSTREAM_*). */
export function readPeerEnv(env: NodeJS.ProcessEnv = process.env): PeerEnv {
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port <= 0)
    throw new TypeError(`PORT must be a port number, got ${env.PORT}`);
  const first = (list: string | undefined) => (list ?? '').split(',')[0].trim().replace(/\/$/, '');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    dataDir: env.WEFT_DATA_DIR ?? './data',
    upstreams: { users: first(env.WEFT_UPSTREAM_USERS), orders: first(env.WEFT_UPSTREAM_ORDERS) },
  };
}

/** Parses `limit`; undefined for anything but an integer in 1..100. */
export function parseLimit(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_LIMIT;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : undefined;
}

/** An RFC 9457 body with a stable code. */
export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  code: string;
  detail?: string;
}

/** Builds a problem body. */
export function problem(status: number, code: string, title: string, detail?: string): Problem {
  return detail === undefined
    ? { type: 'about:blank', title, status, code }
    : { type: 'about:blank', title, status, code, detail };
}

export const userNotFound = (id: string) => problem(404, 'USER_NOT_FOUND', 'No such user', id);
export const orderNotFound = (id: string) => problem(404, 'ORDER_NOT_FOUND', 'No such order', id);
export const badRequest = (detail: string) =>
  problem(400, 'VALIDATION_FAILED', 'The request does not match the schema', detail);
export const upstreamFailed = (detail: string) =>
  problem(502, 'UPSTREAM_UNAVAILABLE', 'An upstream service failed', detail);

/** Content type of problem bodies. */
export const PROBLEM_TYPE = 'application/problem+json';
