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
