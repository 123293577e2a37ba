import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type ShopConfig, topology } from '../../examples/shop/topology.ts';
import { Supervisor } from '../../src/cli/index.ts';
import { freePortRange } from './ports.ts';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** A shop started as real processes for an end-to-end test. */
export interface RunningShop {
  readonly gateway: string;
  readonly urls: Readonly<Record<string, string[]>>;
  readonly supervisor: Supervisor;
  readonly dataDir: string;
  /** The last lines the processes printed, for a failing test's message. */
  logs(): string;
  stop(): Promise<void>;
}

/** Options of {@link startShop}. */
export interface ShopOptions {
  store?: 'sqlite' | 'postgres';
  databaseUrl?: string;
  /** Reuse a data directory (already seeded) instead of a fresh temporary one. */
  dataDir?: string;
  instances?: Partial<Record<'users' | 'orders' | 'inventory', number>>;
  env?: Record<string, string>;
  /**
   * Extra env per instance (`gateway-1`, ...), decided once the ports are known and before any
   * process starts: for example to point the gateway at a fault proxy in front of one owner.
   */
  instanceEnv?: (
    urls: Readonly<Record<string, string[]>>,
  ) => Promise<Record<string, Record<string, string>>> | Record<string, Record<string, string>>;
}

/** Starts users, orders, inventory and the gateway with `weft start`'s supervisor on free ports. */
export async function startShop(options: ShopOptions = {}): Promise<RunningShop> {
  const counts = { users: 2, orders: 2, inventory: 1, ...options.instances };
  const basePort = await freePortRange(1 + counts.users + counts.orders + counts.inventory);
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'weft-shop-'));
  const config: ShopConfig = {
    host: '127.0.0.1',
    store: options.store ?? 'sqlite',
    databaseUrl: options.databaseUrl,
    dataDir,
    logLevel: 'warn',
    seed: true,
    readyTimeoutMs: 60_000,
    stopTimeoutMs: 10_000,
    basePort,
    usersInstances: counts.users,
    ordersInstances: counts.orders,
    inventoryInstances: counts.inventory,
    gatewayInstances: 1,
    usersPort: 0,
    ordersPort: 0,
    inventoryPort: 0,
  } as ShopConfig;
  const planned = topology(config);
  const urls: Record<string, string[]> = {};
  for (const spec of planned) {
    urls[spec.service] ??= [];
    urls[spec.service].push(`http://127.0.0.1:${spec.port}`);
  }
  const perInstance = (await options.instanceEnv?.(urls)) ?? {};
  const specs = planned.map((spec) => ({
    ...spec,
    env: { ...spec.env, ...options.env, ...perInstance[spec.instance] },
  }));
  const output = new PassThrough();
  const tail: string[] = [];
  output.on('data', (chunk: Buffer) => {
    tail.push(...chunk.toString().split('\n').filter(Boolean));
    if (tail.length > 200) tail.splice(0, tail.length - 200);
  });
  const supervisor = new Supervisor(specs, { cwd: root, output, color: false, stopTimeoutMs: 10_000 });
  try {
    await supervisor.start();
  } catch (error) {
    await supervisor.stop();
    throw new Error(`shop did not start:\n${tail.join('\n')}`, { cause: error });
  }
  return {
    gateway: urls.gateway[0],
    urls,
    supervisor,
    dataDir,
    logs: () => tail.join('\n'),
    async stop() {
      await supervisor.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
