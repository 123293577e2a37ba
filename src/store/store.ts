import type { Kysely } from 'kysely';

/**
 * One service's database, whichever engine holds it. Above this interface nothing knows whether
 * it is SQLite or PostgreSQL: the same kysely queries, transactions and migrations run on both.
 */
export interface Store {
  /** Which engine this store runs on (for the rare query that must differ). */
  readonly kind: 'sqlite' | 'postgres';
  /** Query builder for work outside a transaction. */
  readonly db: Kysely<any>;
  /**
   * Runs fn in one transaction; rolls back when fn throws or `signal` aborts (checked before each
   * query and before commit). Inside fn use `trx` only: on SQLite the store's one connection is
   * held by the transaction, so a query through `db` would wait for it forever.
   */
  transaction<T>(fn: (trx: Kysely<any>) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
  /** A Kysely whose every query first checks the signal (throws a WeftError DEADLINE_EXCEEDED when aborted). */
  withSignal(signal: AbortSignal | undefined): Kysely<any>;
  /**
   * Applies migrations not yet applied, in order, recording them in a `weft_migrations` table.
   * Idempotent and safe when several processes of one service call it at once.
   */
  migrate(migrations: readonly Migration[]): Promise<void>;
  /** Throws unless the store answers a trivial query (used by /readyz). */
  ping(signal?: AbortSignal): Promise<void>;
  /** Releases the connection(s); idempotent. */
  close(): Promise<void>;
}

/** One schema change, identified by its name once applied; `up` runs inside the migration transaction. */
export interface Migration {
  readonly name: string;
  up(db: Kysely<any>): Promise<void>;
}

/** Options of {@link openStore}: which engine, and where its data lives. */
export type StoreOptions =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; schema: string; maxConnections?: number };
