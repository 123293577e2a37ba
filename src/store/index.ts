/**
 * The Store seam: one service's own database, SQLite (`node:sqlite`, the embedded default) or
 * PostgreSQL (`pg`, loaded only when used), queried through kysely the same way on both.
 *
 * Portability rules for code above the seam:
 * - JSON values are stored as TEXT in both stores (`JSON.stringify` in, `JSON.parse` out), not as
 *   jsonb, so one schema and one set of queries serve both engines.
 * - Integers: SQLite returns numbers; PostgreSQL int8 returns a number when it is a safe integer
 *   (its exact string otherwise); numeric stays a string.
 * - Timestamps are ISO-8601 TEXT; booleans are integers 0/1 on SQLite.
 * - Duplicate keys: test with {@link isUniqueViolation}, which knows both drivers' errors.
 * - Inside `transaction(fn)` use only the `trx` given to fn.
 */
export { DEFAULT_STATEMENT_CACHE_SIZE } from './node-sqlite-dialect.ts';
export { openStore } from './open-store.ts';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  openPostgresStore,
  type PostgresStoreOptions,
} from './postgres.ts';
export { DEFAULT_BUSY_TIMEOUT_MS, openSqliteStore, type SqliteStoreOptions } from './sqlite.ts';
export type { Migration, Store, StoreOptions } from './store.ts';
export { isUniqueViolation } from './unique-violation.ts';
