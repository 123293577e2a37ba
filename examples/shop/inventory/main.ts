import { runOwner } from '../runtime.ts';
import { createInventoryService } from './inventory-service.ts';
import { productMigrations, productSeed } from './products-store.ts';

await runOwner({
  name: 'inventory',
  migrations: productMigrations,
  seed: productSeed,
  build: createInventoryService,
});
