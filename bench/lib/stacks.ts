/**
 * The stack registry: how each stack's processes are launched. Every stack runs one process per
 * owner and one gateway process, logs at warn or quieter, keeps connections alive on both sides,
 * and reads its SQLite files from its own data directory (seeded on first start).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessSpec } from './processes.ts';

/** A stack the harness can run. */
export interface StackDef {
  name: string;
  description: string;
  /** Where load goes. */
  baseUrl: string;
  processes(dataDir: string): ProcessSpec[];
  /** Why the stack cannot run here, or null when it can. */
  unavailable(root: string): string | null;
  /** Headers every benchmark request carries (e.g. credentials). */
  headers?: Record<string, string>;
}

const url = (port: number) => `http://127.0.0.1:${port}`;

/** A peer stack with HTTP owners (users, orders) and a gateway, on ports base+1, base+2, base. */
function httpPeer(name: string, description: string, base: number): StackDef {
  const [gateway, users, orders] = [base, base + 1, base + 2];
  return {
    name,
    description,
    baseUrl: url(gateway),
    processes: (dataDir) => {
      const env = {
        WEFT_DATA_DIR: dataDir,
        WEFT_UPSTREAM_USERS: url(users),
        WEFT_UPSTREAM_ORDERS: url(orders),
        WEFT_LOG_LEVEL: 'warn',
      };
      const proc = (svc: string, port: number, role: ProcessSpec['role']): ProcessSpec => ({
        name: `${name}/${svc}`,
        role,
        script: `bench/peers/${name}/${svc}.ts`,
        env: { ...env, PORT: String(port), WEFT_INSTANCE: `${svc}-1` },
        readyUrl: `${url(port)}/readyz`,
        ports: [port],
      });
      return [
        proc('users', users, 'owner'),
        proc('orders', orders, 'owner'),
        proc('gateway', gateway, 'gateway'),
      ];
    },
    unavailable: () => null,
  };
}

/** Moleculer: owners are brokers without HTTP; the gateway's /readyz waits for their discovery. */
function moleculerPeer(base: number): StackDef {
  const http = base;
  const tcp = { gateway: base + 10, users: base + 11, orders: base + 12 };
  const tcpUrls = Object.entries(tcp)
    .map(([node, port]) => `127.0.0.1:${port}/${node}`)
    .join(',');
  return {
    name: 'moleculer',
    description:
      'Moleculer 0.15 services over the TCP transporter (static peer list, no UDP discovery), moleculer-web gateway; S1 parallel ctx.call, S2 one orders.list + one users.getMany',
    baseUrl: url(http),
    processes: (dataDir) =>
      (['users', 'orders', 'gateway'] as const).map((svc) => ({
        name: `moleculer/${svc}`,
        role: svc === 'gateway' ? 'gateway' : 'owner',
        script: `bench/peers/moleculer/${svc}.ts`,
        env: {
          WEFT_DATA_DIR: dataDir,
          BENCH_TCP_PORT: String(tcp[svc]),
          BENCH_TCP_URLS: tcpUrls,
          ...(svc === 'gateway' ? { PORT: String(http) } : {}),
        },
        readyUrl: svc === 'gateway' ? `${url(http)}/readyz` : undefined,
        ports: svc === 'gateway' ? [http, tcp[svc]] : [tcp[svc]],
      })),
    unavailable: () => null,
  };
}

/** The weft shop's services the fresh stack launches (inventory is idle in S1/S2, but the shop expects it). */
const WEFT_SERVICES = ['users', 'orders', 'inventory', 'gateway'] as const;

/**
 * weft's own shop, fresh: every answer comes from the owners. The shop has no response cache yet;
 * when it gains one, this launcher must switch it off here and a `weft-cached` stack joins beside it.
 */
function weftFresh(base: number): StackDef {
  const ports = { gateway: base, users: base + 1, orders: base + 2, inventory: base + 3 };
  return {
    name: 'weft',
    description: "weft's shop (examples/shop), fresh: no response cache, one instance per owner",
    baseUrl: url(ports.gateway),
    processes: (dataDir) =>
      WEFT_SERVICES.map((svc) => ({
        name: `weft/${svc}`,
        role: svc === 'gateway' ? 'gateway' : 'owner',
        script: `examples/shop/${svc}/main.ts`,
        env: {
          PORT: String(ports[svc]),
          WEFT_INSTANCE: `${svc}-1`,
          WEFT_DATA_DIR: dataDir,
          WEFT_UPSTREAM_USERS: url(ports.users),
          WEFT_UPSTREAM_ORDERS: url(ports.orders),
          WEFT_UPSTREAM_INVENTORY: url(ports.inventory),
          WEFT_LOG_LEVEL: 'warn',
        },
        readyUrl: `${url(ports[svc])}/readyz`,
        ports: [ports[svc]],
      })),
    unavailable: (root) => {
      const missing = WEFT_SERVICES.map((s) => `examples/shop/${s}/main.ts`).filter(
        (f) => !existsSync(join(root, f)),
      );
      return missing.length ? `the shop is not built yet (missing ${missing.join(', ')})` : null;
    },
  };
}

/** Every stack, in the order a round runs them; `hand` first, as every ratio is taken against it. */
export const stacks: readonly StackDef[] = [
  httpPeer(
    'hand',
    'Fastify owners; Fastify gateway with one undici Pool per owner; S1 parallel, S2 one orders call + one batch users call',
    47100,
  ),
  httpPeer(
    'naive',
    'Express owners; Express gateway with the global fetch; calls awaited one by one, S2 one users call per order (N+1)',
    47200,
  ),
  moleculerPeer(47300),
  weftFresh(47400),
];
