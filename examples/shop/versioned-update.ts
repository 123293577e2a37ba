import type { Kysely } from 'kysely';
import { WeftError } from '../../src/errors/index.ts';
import type { Store } from '../../src/store/index.ts';

/** How an owner reads and conditionally writes one kind of entity. */
export interface VersionedTable<T extends { id: string; version: number }> {
  /** Name used in error details (`User`, `Order`). */
  readonly noun: string;
  find(db: Kysely<any>, id: string): Promise<T | undefined>;
  /** Writes `next` only if the stored version is still `expectedVersion`; false when it changed. */
  write(db: Kysely<any>, next: T, expectedVersion: number): Promise<boolean>;
  notFound(id: string): WeftError;
}

/**
 * The optimistic update every owner does: in one transaction, read the entity, refuse with 412
 * VERSION_MISMATCH when the caller's `If-Match` names another version, apply the change, and write
 * version + 1 only if nobody wrote in between (412 again when someone did).
 */
export function updateVersioned<T extends { id: string; version: number }>(
  store: Store,
  table: VersionedTable<T>,
  id: string,
  expectedVersion: string | undefined,
  change: (current: T) => T,
  signal: AbortSignal,
): Promise<T> {
  return store.transaction(
    async (trx) => {
      const current = await table.find(trx, id);
      if (!current) throw table.notFound(id);
      if (expectedVersion !== undefined && String(current.version) !== expectedVersion) {
        throw new WeftError('VERSION_MISMATCH', `${table.noun} ${id} is at version ${current.version}`);
      }
      const next = { ...change(current), version: current.version + 1 };
      if (!(await table.write(trx, next, current.version))) {
        throw new WeftError('VERSION_MISMATCH', `${table.noun} ${id} changed meanwhile`);
      }
      return next;
    },
    { signal },
  );
}
