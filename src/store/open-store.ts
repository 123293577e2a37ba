import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store, StoreOptions } from './store.ts';

/** Opens the store the options name: the one switch between the embedded and distributed deployments. */
export async function openStore(options: StoreOptions): Promise<Store> {
  switch (options?.kind) {
    case 'sqlite':
      return openSqliteStore({ file: options.file });
    case 'postgres':
      return openPostgresStore({
        url: options.url,
        schema: options.schema,
        maxConnections: options.maxConnections,
      });
    default:
      throw new TypeError(
        `openStore: options.kind must be 'sqlite' or 'postgres', got ${JSON.stringify((options as { kind?: unknown })?.kind)}`,
      );
  }
}
