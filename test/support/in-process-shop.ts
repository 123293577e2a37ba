import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewayService } from '../../examples/shop/gateway/gateway-service.ts';
import { createInventoryService } from '../../examples/shop/inventory/inventory-service.ts';
import { productMigrations, productSeed } from '../../examples/shop/inventory/products-store.ts';
import { createOrdersService } from '../../examples/shop/orders/orders-service.ts';
import { orderMigrations, orderSeed } from '../../examples/shop/orders/orders-store.ts';
import { createUsersService } from '../../examples/shop/users/users-service.ts';
import { userMigrations, userSeed } from '../../examples/shop/users/users-store.ts';
import { createServiceClient, type ServiceClient } from '../../src/client/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import type { Service } from '../../src/service/index.ts';
import { openSqliteStore, type Store } from '../../src/store/index.ts';

/** The shop's services in this process, each on its own port and SQLite file: fast to start, real HTTP between them. */
export interface InProcessShop {
  users: Service;
  orders: Service;
  inventory: Service;
  gateway: Service;
  urls: { users: string; orders: string; inventory: string; gateway: string };
  clients: { users: ServiceClient; orders: ServiceClient; inventory: ServiceClient };
  stop(): Promise<void>;
}

const quiet = () => {};

/**
 * Starts the shop in process. `upstreamUrls` lets a test put something (a fault proxy, a fake)
 * between the gateway and an owner.
 */
export async function startInProcessShop(
  options: {
    upstreamUrls?: (urls: {
      users: string;
      orders: string;
      inventory: string;
    }) => Promise<Record<string, string[]>> | Record<string, string[]>;
  } = {},
): Promise<InProcessShop> {
  const dir = mkdtempSync(join(tmpdir(), 'weft-inproc-'));
  const stores: Store[] = [];
  const owner = async (
    name: string,
    migrations: Parameters<Store['migrate']>[0],
    seed: (progress: (m: string) => void) => Parameters<Store['migrate']>[0][number],
    build: (o: { store: Store; logLevel: string }) => Service,
  ) => {
    const store = await openSqliteStore({ file: join(dir, `${name}.db`) });
    stores.push(store);
    await store.migrate([...migrations, seed(quiet)]);
    const service = build({ store, logLevel: 'silent' });
    const { url } = await service.listen({ port: 0, host: '127.0.0.1' });
    return { service, url };
  };
  const [users, orders, inventory] = await Promise.all([
    owner('users', userMigrations, userSeed, createUsersService),
    owner('orders', orderMigrations, orderSeed, createOrdersService),
    owner('inventory', productMigrations, productSeed, createInventoryService),
  ]);
  const ownerUrls = { users: users.url, orders: orders.url, inventory: inventory.url };
  const registry = createStaticRegistry(
    (await options.upstreamUrls?.(ownerUrls)) ?? {
      users: [users.url],
      orders: [orders.url],
      inventory: [inventory.url],
    },
  );
  const clients = {
    users: createServiceClient({ service: 'users', registry }),
    orders: createServiceClient({ service: 'orders', registry }),
    inventory: createServiceClient({ service: 'inventory', registry }),
  };
  const gateway = createGatewayService({ upstreams: clients, logLevel: 'silent' });
  const { url: gatewayUrl } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  return {
    users: users.service,
    orders: orders.service,
    inventory: inventory.service,
    gateway,
    urls: { ...ownerUrls, gateway: gatewayUrl },
    clients,
    async stop() {
      await gateway.close();
      await Promise.all(Object.values(clients).map((client) => client.close()));
      await Promise.all([users.service.close(), orders.service.close(), inventory.service.close()]);
      await Promise.all(stores.map((store) => store.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
