import type { Kysely } from 'kysely';
import type { Migration } from './store.ts';

/** The table recording applied migrations, one row per name. */
export const MIGRATIONS_TABLE = 'weft_migrations';

/**
 * Checks a migration list once, before anything runs: names must be non-empty and unique, since
 * a name is how an applied migration is recognised forever after.
 */
export function validateMigrations(migrations: readonly Migration[]): void {
  if (!Array.isArray(migrations)) throw new TypeError('migrate: migrations must be an array');
  const seen = new Set<string>();
  migrations.forEach((migration, index) => {
    const name: unknown = migration?.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new TypeError(
        `migrate: migrations[${index}].name must be a non-empty string, got ${JSON.stringify(name)}`,
      );
    }
    if (seen.has(name)) throw new TypeError(`migrate: migration name ${JSON.stringify(name)} appears twice`);
    if (typeof migration.up !== 'function') {
      throw new TypeError(
        `migrate: migrations[${index}].up must be a function (migration ${JSON.stringify(name)})`,
      );
    }
    seen.add(name);
  });
}

/**
 * Applies, inside the caller's transaction (which already holds the store's migration lock), the
 * migrations whose names are not yet recorded, in list order. Applied names that are not in the
 * list (a newer version ran here before) are left alone.
 */
export async function applyMigrations(trx: Kysely<any>, migrations: readonly Migration[]): Promise<void> {
  await trx.schema
    .createTable(MIGRATIONS_TABLE)
    .ifNotExists()
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('applied_at', 'text', (column) => column.notNull())
    .execute();
  const rows = await trx.selectFrom(MIGRATIONS_TABLE).select('name').execute();
  const applied = new Set(rows.map((row) => row.name as string));
  let position = applied.size;
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue;
    await migration.up(trx);
    position += 1;
    await trx
      .insertInto(MIGRATIONS_TABLE)
      .values({ name: migration.name, position, applied_at: new Date().toISOString() })
      .execute();
  }
}
