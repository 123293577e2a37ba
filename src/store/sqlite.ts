import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely } from 'kysely';
import { createKyselyStore } from './kysely-store.ts';
import { NodeSqliteDatabase, NodeSqliteDialect } from './node-sqlite-dialect.ts';
import type { Store } from './store.ts';

/** How long a write waits for another process's write lock: longer than any sane transaction, short enough that a stuck peer surfaces as an error. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file (its parent directory is created), or `':memory:'` for a private in-memory database. */
  readonly file: string;
}

/**
 * Opens a SQLite store through `node:sqlite`. The file is set to WAL (readers never block the
 * writer), synchronous=NORMAL (durable across process crashes; a power cut may lose the last
 * commits), foreign keys on, and a busy timeout so several processes of one service can share it.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const { file } = validateSqliteOptions(options);
  if (file !== ':memory:') await mkdir(dirname(file), { recursive: true });
  const database = new DatabaseSync(file);
  try {
    // busy_timeout first: switching to WAL needs a lock another opening process may hold.
    database.exec(`PRAGMA busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
    database.exec('PRAGMA journal_mode = WAL');
    database.exec('PRAGMA synchronous = NORMAL');
    database.exec('PRAGMA foreign_keys = ON');
  } catch (error) {
    database.close();
    throw error;
  }
  const adapter = new NodeSqliteDatabase(database, { busyTimeoutMs: DEFAULT_BUSY_TIMEOUT_MS });
  const db = new Kysely<any>({ dialect: new NodeSqliteDialect(adapter) });
  return createKyselyStore({
    kind: 'sqlite',
    db,
    lockMigrations: async () => {},
    release: async () => adapter.close(),
  });
}

function validateSqliteOptions(options: SqliteStoreOptions): Readonly<SqliteStoreOptions> {
  const file: unknown = options?.file;
  if (typeof file !== 'string' || file.trim() === '') {
    throw new TypeError(
      `openSqliteStore: options.file must be a file path or ':memory:', got ${JSON.stringify(file)}`,
    );
  }
  return Object.freeze({ file });
}
