import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** How the proxy treats traffic; switchable at run time with `setMode`. */
export type FaultMode =
  | { readonly kind: 'pass' }
  /** Holds each chunk, both ways, for `ms` before passing it on (order kept). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Resets every open connection now and every new one on arrival (TCP RST). */
  | { readonly kind: 'reset' }
  /** Accepts connections and bytes, never answers. */
  | { readonly kind: 'blackhole' }
  /** Answers each request itself with this status and an empty JSON body, without forwarding. */
  | { readonly kind: 'http5xx'; readonly status: number }
  /** Forwards, then drips the answer back `bytes` at a time every `intervalMs`. */
  | { readonly kind: 'slowBody'; readonly intervalMs: number; readonly bytes?: number }
  /** Forwards, then closes the connection halfway through the first chunk of the answer. */
  | { readonly kind: 'closeMidBody' };

/** A TCP proxy in front of one target, for injecting faults in tests. */
export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  /** Connections accepted since start. */
  readonly accepted: number;
  /** Request chunks received from clients since start (about one per small HTTP request). */
  readonly requests: number;
  readonly mode: FaultMode;
  setMode(mode: FaultMode): void;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  upstream: Socket | undefined;
  /** Chains delayed writes so chunks keep their order. */
  queue: Promise<void>;
}

/**
 * Starts a proxy on a free port of 127.0.0.1 in front of `target` (a URL or host:port), in
 * `pass` mode. No toxiproxy here, and the kernel has no netem: this is the fault injector.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const { hostname, port: targetPort } = new URL(target.includes('://') ? target : `tcp://${target}`);
  const pairs = new Set<Pair>();
  let mode: FaultMode = { kind: 'pass' };
  let accepted = 0;
  let requests = 0;

  const destroy = (pair: Pair, reset: boolean) => {
    if (reset && !pair.client.destroyed) pair.client.resetAndDestroy();
    else pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };

  const upstreamOf = (pair: Pair): Socket => {
    if (pair.upstream) return pair.upstream;
    const upstream = createConnection({ host: hostname, port: Number(targetPort) });
    pair.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => toClient(pair, chunk));
    upstream.on('error', () => destroy(pair, true));
    upstream.on('close', () => destroy(pair, false));
    return upstream;
  };

  const later = (pair: Pair, ms: number, fn: () => void) => {
    pair.queue = pair.queue.then(() => new Promise((resolve) => setTimeout(resolve, ms))).then(fn);
  };

  const toClient = (pair: Pair, chunk: Buffer) => {
    const m = mode;
    if (m.kind === 'blackhole') return;
    if (m.kind === 'reset') return destroy(pair, true);
    if (m.kind === 'delay')
      return later(pair, m.ms, () => void (pair.client.destroyed || pair.client.write(chunk)));
    if (m.kind === 'closeMidBody') {
      pair.client.write(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))));
      return destroy(pair, false);
    }
    if (m.kind === 'slowBody') {
      const step = m.bytes ?? 16;
      for (let i = 0; i < chunk.length; i += step) {
        const piece = chunk.subarray(i, i + step);
        later(pair, m.intervalMs, () => void (pair.client.destroyed || pair.client.write(piece)));
      }
      return;
    }
    pair.client.write(chunk);
  };

  const fromClient = (pair: Pair, chunk: Buffer) => {
    requests++;
    const m = mode;
    if (m.kind === 'blackhole') return;
    if (m.kind === 'reset') return destroy(pair, true);
    if (m.kind === 'http5xx') {
      const body = JSON.stringify({ injected: m.status });
      pair.client.write(
        `HTTP/1.1 ${m.status} Injected\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`,
      );
      return;
    }
    if (m.kind === 'delay') return later(pair, m.ms, () => void upstreamOf(pair).write(chunk));
    upstreamOf(pair).write(chunk);
  };

  const server: Server = createServer((client) => {
    accepted++;
    const pair: Pair = { client, upstream: undefined, queue: Promise.resolve() };
    pairs.add(pair);
    client.on('error', () => destroy(pair, false));
    client.on('close', () => destroy(pair, false));
    if (mode.kind === 'reset') return destroy(pair, true);
    client.on('data', (chunk: Buffer) => fromClient(pair, chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    get requests() {
      return requests;
    },
    get mode() {
      return mode;
    },
    setMode(next: FaultMode) {
      mode = next;
      if (next.kind === 'reset') for (const pair of [...pairs]) destroy(pair, true);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of [...pairs]) destroy(pair, false);
        server.close(() => resolve());
      }),
  };
}
