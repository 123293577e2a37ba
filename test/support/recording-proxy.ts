import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request seen by a {@link RecordingProxy}. */
export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** An HTTP proxy in front of one upstream that records every request, to count upstream calls. */
export interface RecordingProxy {
  readonly url: string;
  readonly requests: Recorded[];
  /** When set, answers this status (problem+json) instead of forwarding. */
  failWith: number | undefined;
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const proxy: RecordingProxy = {
    url: '',
    requests: [],
    failWith: undefined,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((inbound, outbound) => {
    proxy.requests.push({ method: inbound.method!, url: inbound.url!, headers: { ...inbound.headers } });
    if (proxy.failWith !== undefined) {
      outbound.writeHead(proxy.failWith, { 'content-type': 'application/problem+json' });
      outbound.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'x',
          status: proxy.failWith,
          code: 'NOT_READY',
          detail: 'injected',
        }),
      );
      return;
    }
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: inbound.method,
        path: inbound.url,
        headers: inbound.headers,
      },
      (answer) => {
        outbound.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(outbound);
      },
    );
    forward.on('error', () => outbound.destroy());
    inbound.pipe(forward);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = proxy.close;
  proxy.close = async () => {
    server.closeAllConnections();
    await close();
  };
  return proxy;
}
