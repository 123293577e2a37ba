import { Kysely, PostgresDialect, sql } from 'kysely';
import type { CustomTypesConfig, Pool, PoolClient } from 'pg';
import { WeftError } from '../errors/index.ts';
import { createKyselyStore } from './kysely-store.ts';
import type { Store } from './store.ts';

/** pg's own default pool size: enough for one service instance, well under PostgreSQL's default 100 connections for a few instances. */
export const DEFAULT_MAX_CONNECTIONS = 10;
/** How long a checkout waits for a new connection: pg's default is forever, which would hang /readyz when the database is down. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Highest accepted maxConnections: above it a typo, not a choice (PostgreSQL allows 100 by default). */
const MAX_MAX_CONNECTIONS = 1_000;
/** PostgreSQL's type oid of int8 (bigint, and what count(*) returns). */
const INT8_OID = 20;
/** Schema names are interpolated into DDL and search_path, so only plain lower-case identifiers are accepted. */
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
/** SQLSTATEs of a concurrent CREATE SCHEMA IF NOT EXISTS losing the race: duplicate_schema, unique_violation. */
const SCHEMA_RACE_CODES: ReadonlySet<string> = new Set(['42P06', '23505']);
/** First key of the migration advisory lock (the second is the schema's hash): "weft" in ASCII. */
const MIGRATION_LOCK_KEY = 0x77656674;

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://` connection URL. */
  readonly url: string;
  /** The service's schema: created when missing, and the search_path of every pooled connection. */
  readonly schema: string;
  /** Pool size; defaults to {@link DEFAULT_MAX_CONNECTIONS}. */
  readonly maxConnections?: number;
}

/**
 * Opens a PostgreSQL store over a `pg` Pool (loaded only now, so SQLite users never load it).
 * int8 values come back as numbers when they are safe integers and as their exact decimal string
 * otherwise; numeric stays a string (exact), as pg parses it.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const config = validatePostgresOptions(options);
  const pg = (await import('pg')).default;
  const types: CustomTypesConfig = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID && format !== 'binary'
        ? parseInt8
        : (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format)) as never,
  };
  const pool: Pool = new pg.Pool({
    connectionString: config.url,
    max: config.maxConnections,
    connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
    // Set at connection start-up, so no pooled connection ever runs a query with another path.
    options: `-c search_path=${config.schema}`,
    types,
  });
  // An idle connection that dies (database restart) is dropped by the pool, which then emits
  // 'error'; unhandled, that event would crash the process. The next checkout reconnects.
  pool.on('error', () => {});
  try {
    await ensureSchema(pool, config.schema);
  } catch (error) {
    await pool.end().catch(() => {});
    throw new WeftError('NOT_READY', `Could not open the postgres store (schema ${config.schema})`, {
      cause: error,
    });
  }
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return createKyselyStore({
    kind: 'postgres',
    db,
    async lockMigrations(trx) {
      // Transaction-scoped: released by commit or rollback, even if this process dies.
      await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY}, hashtext(current_schema()))`.execute(trx);
    },
    async release() {
      // kysely ends the pool when it was used; ending it twice throws.
      if (!pool.ended) await pool.end();
    },
  });
}

function parseInt8(value: string): number | string {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

async function ensureSchema(pool: Pool, schema: string): Promise<void> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    // Two instances starting at once can both miss the schema; the loser's error is harmless.
    if (!SCHEMA_RACE_CODES.has((error as { code?: string }).code ?? '')) throw error;
  } finally {
    client.release();
  }
}

function validatePostgresOptions(options: PostgresStoreOptions): Readonly<Required<PostgresStoreOptions>> {
  const { url, schema, maxConnections = DEFAULT_MAX_CONNECTIONS } = options ?? ({} as PostgresStoreOptions);
  if (typeof url !== 'string' || !isPostgresUrl(url)) {
    // The value is not echoed: a URL may carry a password.
    throw new TypeError('openPostgresStore: options.url must be a postgres:// or postgresql:// URL');
  }
  if (typeof schema !== 'string' || !SCHEMA_PATTERN.test(schema)) {
    throw new TypeError(
      `openPostgresStore: options.schema must be a lower-case identifier (${SCHEMA_PATTERN}), got ${JSON.stringify(schema)}`,
    );
  }
  if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > MAX_MAX_CONNECTIONS) {
    throw new TypeError(
      `openPostgresStore: options.maxConnections must be an integer in 1..${MAX_MAX_CONNECTIONS}, got ${JSON.stringify(maxConnections)}`,
    );
  }
  return Object.freeze({ url, schema, maxConnections });
}

function isPostgresUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'postgres:' || protocol === 'postgresql:';
  } catch {
    return false;
  }
}
