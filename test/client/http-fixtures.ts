import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real local HTTP server whose handler a test can swap; counts the requests it saw. */
export interface TestServer {
  readonly url: string;
  readonly port: number;
  /** Requests received, in order (method, url, headers). */
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** Starts a server on a free port answering `{ ok: true, port }` unless the handler is swapped. */
export async function startServer(
  handler?: (req: IncomingMessage, res: ServerResponse, self: TestServer) => void,
): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    self.seen.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    req.resume();
    req.on('end', () => self.handler(req, res));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const self: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    seen: [],
    handler: (req, res) => (handler ? handler(req, res, self) : json(res, 200, { ok: true, port })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return self;
}

/** Writes a JSON answer. */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Writes a problem+json answer with a code. */
export function problem(
  res: ServerResponse,
  status: number,
  code: string,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify({ type: 'about:blank', title: code, status, detail: `${code} detail`, code });
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(text);
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` `total` times with at most `concurrency` at once; returns the settled results in order. */
export async function runMany<T>(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  const results: PromiseSettledResult<T>[] = new Array(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return results;
}

/** Counts rejected results by error code. */
export function codes(results: PromiseSettledResult<unknown>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    const code = r.status === 'fulfilled' ? 'OK' : String((r.reason as { code?: string }).code);
    out[code] = (out[code] ?? 0) + 1;
  }
  return out;
}

/** The q-quantile of some numbers. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
