import { runOwner } from '../runtime.ts';
import { createOrdersService } from './orders-service.ts';
import { orderMigrations, orderSeed } from './orders-store.ts';

await runOwner({
  name: 'orders',
  migrations: orderMigrations,
  seed: orderSeed,
  build: createOrdersService,
});
