import { runOwner } from '../runtime.ts';
import { createUsersService } from './users-service.ts';
import { userMigrations, userSeed } from './users-store.ts';

await runOwner({
  name: 'users',
  migrations: userMigrations,
  seed: userSeed,
  build: createUsersService,
});
