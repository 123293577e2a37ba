import { join } from 'node:path';
import type { Service } from '../../src/service/index.ts';
import { type Migration, openStore, type Store } from '../../src/store/index.ts';

/** The process settings every shop service reads from its environment (docs/architecture.md). */
export interface ProcessSettings {
  port: number;
  host: string;
  instance: string;
  logLevel: string;
  store: 'sqlite' | 'postgres';
  dataDir: string;
  databaseUrl: string | undefined;
  seed: boolean;
  upstreams: Record<string, string[]>;
}

/** Reads and checks the process convention's env variables; a bad value stops the process with its name. */
export function readSettings(service: string, env: NodeJS.ProcessEnv = process.env): ProcessSettings {
  const port = Number(env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(`PORT must be 0..65535, got ${env.PORT}`);
  const store = env.WEFT_STORE ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') {
    throw new TypeError(`WEFT_STORE must be sqlite or postgres, got ${store}`);
  }
  if (store === 'postgres' && !env.WEFT_DATABASE_URL)
    throw new TypeError('WEFT_STORE=postgres needs WEFT_DATABASE_URL');
  const upstreams: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(env)) {
    const match = /^WEFT_UPSTREAM_([A-Z0-9_]+)$/.exec(key);
    if (match && value)
      upstreams[match[1].toLowerCase()] = value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean);
  }
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    instance: env.WEFT_INSTANCE ?? `${service}-1`,
    logLevel: env.WEFT_LOG_LEVEL ?? 'info',
    store,
    dataDir: env.WEFT_DATA_DIR ?? './data',
    databaseUrl: env.WEFT_DATABASE_URL,
    seed: env.WEFT_SEED !== '0',
    upstreams,
  };
}

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
  await service.listen({ port: settings.port, host: settings.host });
  service.closeOnSignals();
}
