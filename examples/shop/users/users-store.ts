import type { Kysely } from 'kysely';
import type { Migration } from '../../../src/store/index.ts';
import { seedUsers } from '../seed-data.ts';

/** A user as the users service owns it. */
export interface User {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

interface UserRow {
  id: string;
  email: string;
  given_name: string;
  family_name: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export const userMigrations: readonly Migration[] = [
  {
    name: '001_users',
    async up(db) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('given_name', 'text', (c) => c.notNull())
        .addColumn('family_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
    },
  },
];

/** Rows per INSERT while seeding: well under SQLite's bound-variable limit (7 columns each). */
const SEED_CHUNK = 500;

/** The first-run seed, applied once like a migration. */
export function userSeed(progress: (message: string) => void): Migration {
  return {
    name: '900_seed_users',
    async up(db) {
      const rows = [...seedUsers()].map((u) => toRow({ ...u, updatedAt: u.createdAt, version: 1 }));
      progress(`seeding ${rows.length} users`);
      for (let i = 0; i < rows.length; i += SEED_CHUNK) {
        await db
          .insertInto('users')
          .values(rows.slice(i, i + SEED_CHUNK))
          .execute();
      }
    },
  };
}

function toRow(user: User): UserRow {
  return {
    id: user.id,
    email: user.email,
    given_name: user.givenName,
    family_name: user.familyName,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    version: user.version,
  };
}

function fromRow(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    givenName: row.given_name,
    familyName: row.family_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

export async function findUser(db: Kysely<any>, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row as UserRow) : undefined;
}

export async function findUsers(db: Kysely<any>, ids: readonly string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
  return (rows as UserRow[]).map(fromRow);
}

/** Users ordered by id, after the given id. */
export async function pageUsers(db: Kysely<any>, after: string | undefined, limit: number): Promise<User[]> {
  let query = db.selectFrom('users').selectAll().orderBy('id').limit(limit);
  if (after !== undefined) query = query.where('id', '>', after);
  return ((await query.execute()) as UserRow[]).map(fromRow);
}

export async function insertUser(db: Kysely<any>, user: User): Promise<void> {
  await db.insertInto('users').values(toRow(user)).execute();
}

/** Writes the user if its stored version is still `expectedVersion`; false when it changed meanwhile. */
export async function updateUser(db: Kysely<any>, user: User, expectedVersion: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set(toRow(user))
    .where('id', '=', user.id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteUser(db: Kysely<any>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
