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
  /** `static` (WEFT_UPSTREAM_* lists) or `nats` (instances announce themselves in a NATS KV bucket). */
  registry: 'static' | 'nats';
  natsUrl: string;
  /** NATS KV bucket of the registry (WEFT_REGISTRY_BUCKET); undefined keeps the registry's default. */
  registryBucket: string | undefined;
  /** Inbound concurrency limit (WEFT_MAX_INFLIGHT); undefined keeps the kit's default. */
  maxInflightRequests: number | undefined;
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
  const registry = env.WEFT_REGISTRY ?? 'static';
  if (registry !== 'static' && registry !== 'nats') {
    throw new TypeError(`WEFT_REGISTRY must be static or nats, got ${registry}`);
  }
  const maxInflight = env.WEFT_MAX_INFLIGHT === undefined ? undefined : Number(env.WEFT_MAX_INFLIGHT);
  if (maxInflight !== undefined && !(Number.isInteger(maxInflight) && maxInflight >= 0)) {
    throw new TypeError(`WEFT_MAX_INFLIGHT must be a whole number >= 0, got ${env.WEFT_MAX_INFLIGHT}`);
  }
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
    registry,
    natsUrl: env.WEFT_NATS_URL ?? 'nats://127.0.0.1:4222',
    registryBucket: env.WEFT_REGISTRY_BUCKET || undefined,
    maxInflightRequests: maxInflight,
  };
}
