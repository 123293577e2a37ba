import { type Kysely, sql } from 'kysely';
import { WeftError } from '../errors/index.ts';
import { applyMigrations, validateMigrations } from './migrate.ts';
import { beginSignal, SignalPlugin, throwIfAborted } from './signal.ts';
import type { Migration, Store } from './store.ts';

/** What differs between engines once both speak kysely. */
export interface EngineHooks {
  readonly kind: Store['kind'];
  readonly db: Kysely<any>;
  /**
   * Called first inside the migration transaction; returns once this process is the only one
   * migrating. SQLite needs nothing (every transaction begins IMMEDIATE, taking the write lock).
   */
  lockMigrations(trx: Kysely<any>): Promise<void>;
  /**
   * Releases the engine's own resources once kysely is destroyed. Needed because kysely's
   * destroy() does nothing when no query ever ran, yet the store opened its file or pool eagerly.
   */
  release(): Promise<void>;
}

/** The engine-independent half of a Store: transactions with signals, migrations, ping, close. */
export function createKyselyStore(hooks: EngineHooks): Store {
  const { kind, db, lockMigrations, release } = hooks;
  let closing: Promise<void> | undefined;

  const withSignal = (signal: AbortSignal | undefined): Kysely<any> =>
    signal === undefined ? db : db.withPlugin(new SignalPlugin(signal));

  const transaction = async <T>(
    fn: (trx: Kysely<any>) => Promise<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> => {
    const { signal } = options;
    throwIfAborted(signal);
    const run = () =>
      db.transaction().execute(async (trx) => {
        const result = await fn(signal === undefined ? trx : trx.withPlugin(new SignalPlugin(signal)));
        // The caller may have given up after its last query: do not commit work nobody waits for.
        throwIfAborted(signal);
        return result;
      });
    return signal === undefined ? run() : beginSignal.run(signal, run);
  };

  return Object.freeze({
    kind,
    db,
    transaction,
    withSignal,
    async migrate(migrations: readonly Migration[]): Promise<void> {
      validateMigrations(migrations);
      await transaction(async (trx) => {
        await lockMigrations(trx);
        await applyMigrations(trx, migrations);
      });
    },
    async ping(signal?: AbortSignal): Promise<void> {
      try {
        await sql`select 1`.execute(withSignal(signal));
      } catch (error) {
        if (WeftError.is(error)) throw error;
        throw new WeftError('NOT_READY', `The ${kind} store did not answer`, { cause: error });
      }
    },
    close(): Promise<void> {
      closing ??= db.destroy().finally(release);
      return closing;
    },
  });
}
