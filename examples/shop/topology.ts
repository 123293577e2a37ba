/**
 * The shop as `weft start` runs it: users ×2, orders ×2, inventory ×1 and the gateway, one process
 * per instance. With the defaults the gateway listens on 8080 and the owners on 8081–8085; every
 * process gets every owner's instance URLs (docs/architecture.md, "Process convention").
 */
import type { ProcessSpec, StartConfig } from '../../src/cli/index.ts';
import { type ConfigOf, defineSettings } from '../../src/config/index.ts';

/** The owners, in the order their ports are handed out after the gateway's. */
const OWNERS = ['users', 'orders', 'inventory'] as const;

/** The shop's own settings, added to `weft start`'s. A port of 0 means "right after the previous service's". */
export const settings = defineSettings({
  basePort: { type: 'integer', default: 8080, min: 1, max: 65535, doc: 'gateway port; owners follow it' },
  usersInstances: { type: 'integer', default: 2, min: 1, max: 32, doc: 'users instances' },
  ordersInstances: { type: 'integer', default: 2, min: 1, max: 32, doc: 'orders instances' },
  inventoryInstances: { type: 'integer', default: 1, min: 1, max: 32, doc: 'inventory instances' },
  gatewayInstances: { type: 'integer', default: 1, min: 1, max: 32, doc: 'gateway instances' },
  usersPort: { type: 'integer', default: 0, min: 0, max: 65535, doc: 'first users port (0: follow on)' },
  ordersPort: { type: 'integer', default: 0, min: 0, max: 65535, doc: 'first orders port (0: follow on)' },
  inventoryPort: {
    type: 'integer',
    default: 0,
    min: 0,
    max: 65535,
    doc: 'first inventory port (0: follow on)',
  },
});

/** The configuration the shop topology reads. */
export type ShopConfig = StartConfig & ConfigOf<typeof settings>;

/** The shop's processes for a configuration. */
export function topology(config: ShopConfig): ProcessSpec[] {
  // Ports are handed out in order from the base port: gateway, users, orders, inventory. A
  // service with its own first port set starts there, and the ones after it follow on.
  const ports = new Map<string, number[]>();
  let next = config.basePort;
  const firstPorts: Record<string, number> = {
    gateway: config.basePort,
    users: config.usersPort,
    orders: config.ordersPort,
    inventory: config.inventoryPort,
  };
  for (const service of ['gateway', ...OWNERS]) {
    const start = firstPorts[service] || next;
    const count = config[`${service}Instances` as keyof ShopConfig] as number;
    ports.set(
      service,
      Array.from({ length: count }, (_, i) => start + i),
    );
    next = start + count;
  }

  const urlsOf = (service: string) =>
    ports
      .get(service)!
      .map((port) => `http://${config.host}:${port}`)
      .join(',');
  const shared: Record<string, string> = {
    HOST: config.host,
    WEFT_STORE: config.store,
    WEFT_DATA_DIR: config.dataDir,
    WEFT_LOG_LEVEL: config.logLevel,
    WEFT_SEED: config.seed ? '1' : '0',
    WEFT_UPSTREAM_USERS: urlsOf('users'),
    WEFT_UPSTREAM_ORDERS: urlsOf('orders'),
    WEFT_UPSTREAM_INVENTORY: urlsOf('inventory'),
  };
  if (config.databaseUrl !== undefined) shared.WEFT_DATABASE_URL = config.databaseUrl;

  const specs: ProcessSpec[] = [];
  for (const service of [...OWNERS, 'gateway']) {
    ports.get(service)!.forEach((port, i) => {
      const instance = `${service}-${i + 1}`;
      specs.push({
        service,
        instance,
        entry: `examples/shop/${service}/main.ts`,
        port,
        host: config.host === '0.0.0.0' ? '127.0.0.1' : config.host,
        env: { ...shared, PORT: String(port), WEFT_INSTANCE: instance },
        // The gateway's /readyz checks its upstreams, so it starts once they are all ready.
        after: service === 'gateway' ? [...OWNERS] : [],
      });
    });
  }
  return specs;
}

/** What to try once the shop is up. */
export function hints(specs: readonly ProcessSpec[]): string[] {
  const gateway = specs.find((spec) => spec.service === 'gateway');
  const base = gateway === undefined ? 'localhost:8080' : `localhost:${gateway.port}`;
  return [
    `curl ${base}/v1/users/usr_0001/orders/ord_00001`,
    `curl '${base}/v1/orders?userId=usr_0001&include=user,items.product&limit=5'`,
    `curl ${base}/v2/users/usr_0001`,
    `curl ${base}/docs`,
  ];
}
