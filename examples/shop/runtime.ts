import { join } from 'node:path';
import type { Service } from '../../src/service/index.ts';
import { type Migration, openStore, type Store } from '../../src/store/index.ts';
import { announce } from './discovery.ts';
import { type ProcessSettings, readSettings } from './settings.ts';

/** Opens the service's own store: its SQLite file, or its own schema in PostgreSQL. */
export function openServiceStore(service: string, settings: ProcessSettings): Promise<Store> {
  return settings.store === 'postgres'
    ? openPostgresStoreFor(service, settings.databaseUrl!)
    : openStore({ kind: 'sqlite', file: join(settings.dataDir, `${service}.db`) });
}

function openPostgresStoreFor(service: string, url: string): Promise<Store> {
  return openStore({ kind: 'postgres', url, schema: service });
}

/** How a data owner is run: its migrations, its seed (a migration applied once) and its routes. */
export interface OwnerDefinition {
  name: string;
  migrations: readonly Migration[];
  /** The first-run seed; `progress` reports what it is doing to the log. */
  seed: (progress: (message: string) => void) => Migration;
  build(options: { store: Store; instance: string; logLevel: string }): Service;
}

/** Runs an owner as a process: open store, migrate (+ seed on first run), listen, drain on SIGTERM. */
export async function runOwner(definition: OwnerDefinition): Promise<void> {
  const settings = readSettings(definition.name);
  const store = await openServiceStore(definition.name, settings);
  const service = definition.build({ store, instance: settings.instance, logLevel: settings.logLevel });
  service.onClose(() => store.close());
  const started = performance.now();
  const progress = (message: string) => service.log.info(message);
  const seed = settings.seed ? [definition.seed(progress)] : [];
  await store.migrate([...definition.migrations, ...seed]);
  service.log.info({ store: store.kind, ms: Math.round(performance.now() - started) }, 'store ready');
  const { url } = await service.listen({ port: settings.port, host: settings.host });
  await announce(service, settings, url);
  service.closeOnSignals();
}
