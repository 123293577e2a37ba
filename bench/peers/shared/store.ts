/**
 * The peers' store: one SQLite file per owner service (node:sqlite, WAL), seeded from the shop's
 * deterministic seed when empty — the same kind of store and the same data as weft's shop, so a
 * benchmark compares frameworks, not databases. Rows are stored as JSON text and answered as parsed
 * objects, which is what an owner built on any of the peer frameworks would do.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SeedOrder, SeedUser } from '../../../examples/shop/seed-data.ts';
import { seedOrders, seedUsers } from '../../../examples/shop/seed-data.ts';

/** The owner services a peer stack runs. */
export type OwnerName = 'users' | 'orders';

/** Most ids one batch read answers, as in weft's owner contract. */
export const MAX_BATCH_IDS = 100;
/** Largest page an order listing answers. */
export const MAX_PAGE_LIMIT = 100;

/** A page of orders; `nextCursor` is null on the last page. */
export interface OrderPage {
  items: SeedOrder[];
  nextCursor: string | null;
}

/** A batch read: the rows found, in the order asked, and the ids that were not. */
export interface UserBatch {
  items: SeedUser[];
  missing: string[];
}

function open(dataDir: string, owner: OwnerName): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(join(dataDir, `${owner}.db`));
  db.exec('PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL;');
  return db;
}

function seedIfEmpty(db: DatabaseSync, table: string, rows: Iterable<{ id: string }>, extra: string): void {
  const { n } = db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
  if (n > 0) return;
  const insert = db.prepare(`INSERT OR IGNORE INTO ${table} VALUES (?, ?${extra ? ', ?' : ''})`);
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const row of rows) {
      if (extra) insert.run(row.id, (row as unknown as Record<string, string>)[extra], JSON.stringify(row));
      else insert.run(row.id, JSON.stringify(row));
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** The users owner's store. */
export function openUsers(dataDir: string) {
  const db = open(dataDir, 'users');
  db.exec('CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, doc TEXT NOT NULL)');
  seedIfEmpty(db, 'users', seedUsers(), '');
  const byId = db.prepare('SELECT doc FROM users WHERE id = ?');
  return {
    get(id: string): SeedUser | undefined {
      const row = byId.get(id) as { doc: string } | undefined;
      return row ? JSON.parse(row.doc) : undefined;
    },
    getMany(ids: readonly string[]): UserBatch {
      const unique = [...new Set(ids)].slice(0, MAX_BATCH_IDS);
      const rows = db
        .prepare(`SELECT id, doc FROM users WHERE id IN (${unique.map(() => '?').join(',')})`)
        .all(...unique) as { id: string; doc: string }[];
      const found = new Map(rows.map((r) => [r.id, JSON.parse(r.doc) as SeedUser]));
      return {
        items: unique.filter((id) => found.has(id)).map((id) => found.get(id)!),
        missing: unique.filter((id) => !found.has(id)),
      };
    },
    close: () => db.close(),
  };
}

/** The orders owner's store. */
export function openOrders(dataDir: string) {
  const db = open(dataDir, 'orders');
  db.exec(
    'CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, doc TEXT NOT NULL);' +
      'CREATE INDEX IF NOT EXISTS orders_user ON orders (user_id, id)',
  );
  seedIfEmpty(db, 'orders', seedOrders(), 'userId');
  const byId = db.prepare('SELECT doc FROM orders WHERE id = ?');
  // Newest first; seed ids grow with createdAt, so the id is the stable sort key and the cursor.
  const firstPage = db.prepare('SELECT id, doc FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT ?');
  const nextPage = db.prepare(
    'SELECT id, doc FROM orders WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
  );
  return {
    get(id: string): SeedOrder | undefined {
      const row = byId.get(id) as { doc: string } | undefined;
      return row ? JSON.parse(row.doc) : undefined;
    },
    list(userId: string, limit: number, cursor?: string): OrderPage {
      const take = Math.max(1, Math.min(MAX_PAGE_LIMIT, limit));
      const after = cursor ? Buffer.from(cursor, 'base64url').toString() : undefined;
      const rows = (after ? nextPage.all(userId, after, take + 1) : firstPage.all(userId, take + 1)) as {
        id: string;
        doc: string;
      }[];
      const page = rows.slice(0, take);
      return {
        items: page.map((r) => JSON.parse(r.doc) as SeedOrder),
        nextCursor: rows.length > take ? Buffer.from(page[page.length - 1].id).toString('base64url') : null,
      };
    },
    close: () => db.close(),
  };
}
