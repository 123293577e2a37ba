import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import {
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
  type SqliteStatement,
} from 'kysely';
import { beginSignal, throwIfAborted } from './signal.ts';

/** Statements kept prepared: a service has tens of distinct queries, and `in (?, ?, ...)` lists of varying length add some; this bounds memory for SQL built on the fly. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 256;
/** SQLite's primary result code for "another connection holds the lock". */
const SQLITE_BUSY = 5;
/** Longest pause between two attempts to take the write lock: short enough to stay fair, long enough not to spin. */
const MAX_BUSY_RETRY_DELAY_MS = 25;

/**
 * Adapts `node:sqlite`'s DatabaseSync to the better-sqlite3-like object kysely's SQLite driver
 * expects: parameters spread instead of passed as an array, rows copied out of their null
 * prototype, and prepared statements kept in an LRU keyed by SQL (preparing is a large share of a
 * simple read's cost). A statement is shared by every use of its SQL, so one iteration of a
 * streamed query must finish before the same SQL runs again.
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #busyTimeoutMs: number;
  readonly #cacheSize: number;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: DatabaseSync, options: { busyTimeoutMs: number; statementCacheSize?: number }) {
    this.#db = db;
    this.#busyTimeoutMs = options.busyTimeoutMs;
    this.#cacheSize = options.statementCacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE;
  }

  prepare(sql: string): SqliteStatement {
    const cached = this.#statements.get(sql);
    if (cached !== undefined) {
      // Re-insert so the Map's insertion order is least-recently-used first.
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const statement = adapt(this.#db.prepare(sql));
    this.#statements.set(sql, statement);
    if (this.#statements.size > this.#cacheSize) {
      this.#statements.delete(this.#statements.keys().next().value as string);
    }
    return statement;
  }

  /**
   * Takes the write lock up front (BEGIN IMMEDIATE), so a transaction that reads then writes never
   * fails half-way on a lock another process took meanwhile. node:sqlite is synchronous: letting
   * SQLite's busy handler wait would freeze this process's event loop (and deadlock two
   * connections of one process), so the wait happens here, asynchronously, up to busy_timeout.
   */
  async beginImmediate(signal?: AbortSignal): Promise<void> {
    const giveUpAt = performance.now() + this.#busyTimeoutMs;
    this.#db.exec('PRAGMA busy_timeout = 0');
    try {
      for (let attempt = 0; ; attempt++) {
        // A caller that gave up must not keep the connection (and every query queued behind it).
        throwIfAborted(signal);
        try {
          this.#db.exec('BEGIN IMMEDIATE');
          return;
        } catch (error) {
          if (!isBusy(error) || performance.now() >= giveUpAt) throw error;
        }
        const delayMs = Math.min(2 ** attempt, MAX_BUSY_RETRY_DELAY_MS) * (0.5 + Math.random() / 2);
        // Not unref()ed: the caller is awaiting this transaction. The abort wakes the wait early.
        await sleepUnlessAborted(delayMs, signal);
      }
    } finally {
      this.#db.exec(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`);
    }
  }

  close(): void {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}

function adapt(statement: StatementSync): SqliteStatement {
  const reader = statement.columns().length > 0;
  if (!reader) {
    return {
      reader,
      all: (parameters) => statement.all(...(parameters as SQLInputValue[])) as Record<string, unknown>[],
      run: (parameters) => statement.run(...(parameters as SQLInputValue[])),
      *iterate(parameters) {
        yield* statement.iterate(...(parameters as SQLInputValue[])) as Iterable<Record<string, unknown>>;
      },
    };
  }
  // Rows come back as arrays and become plain objects through a constructor compiled from the
  // column names: about 4x cheaper than spreading node:sqlite's null-prototype rows, which
  // matters on every read of a hot service.
  statement.setReturnArrays(true);
  let toRow = rowFactory(statement);
  const convert = (values: unknown): Record<string, unknown> => {
    const row = values as unknown[];
    // SQLite re-prepares a statement after a schema change; its columns may have changed too.
    if (row.length !== toRow.columns) toRow = rowFactory(statement);
    return toRow(row);
  };
  return {
    reader,
    all: (parameters) => statement.all(...(parameters as SQLInputValue[])).map(convert),
    run: (parameters) => statement.run(...(parameters as SQLInputValue[])),
    *iterate(parameters) {
      for (const row of statement.iterate(...(parameters as SQLInputValue[]))) yield convert(row);
    },
  };
}

type RowFactory = ((values: readonly unknown[]) => Record<string, unknown>) & { columns: number };

/** A function building `{ col1: values[0], ... }`; names are JSON-quoted, so any name is safe. */
function rowFactory(statement: StatementSync): RowFactory {
  const names = statement.columns().map((column) => column.name);
  const body = `return {${names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`).join(', ')}};`;
  const factory = new Function('v', body) as RowFactory;
  factory.columns = names.length;
  return factory;
}

function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function isBusy(error: unknown): boolean {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' && (errcode & 0xff) === SQLITE_BUSY;
}

/** Kysely's SQLite dialect over {@link NodeSqliteDatabase}, beginning every transaction IMMEDIATE. */
export class NodeSqliteDialect extends SqliteDialect {
  readonly #database: NodeSqliteDatabase;

  constructor(database: NodeSqliteDatabase) {
    super({ database });
    this.#database = database;
  }

  override createDriver(): Driver {
    return new NodeSqliteDriver(this.#database);
  }
}

class NodeSqliteDriver extends SqliteDriver {
  readonly #database: NodeSqliteDatabase;

  constructor(database: NodeSqliteDatabase) {
    super({ database });
    this.#database = database;
  }

  override async beginTransaction(_connection: DatabaseConnection): Promise<void> {
    await this.#database.beginImmediate(beginSignal.getStore());
  }
}
