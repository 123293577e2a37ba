/**
 * The peers' store: one SQLite file per owner service (node:sqlite, WAL), seeded from the shop's
 * deterministic seed when empty — the same kind of store, the same data and the same wire shapes
 * (the shop's v1 user and order) as weft's shop, so a benchmark compares frameworks, not databases
 * or payloads. Rows are kept as their JSON document and answered as parsed objects, which is what an
 * owner built on any of the peer frameworks would do.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SeedOrder, SeedUser } from '../../../examples/shop/seed-data.ts';
import { seedOrders, seedUsers } from '../../../examples/shop/seed-data.ts';

/** A user as the shop's v1 API answers it. */
export interface WireUser {
  id: string;
  email: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** An order as the shop's API answers it. */
export interface WireOrder {
  id: string;
  userId: string;
  status: SeedOrder['status'];
  reason: string | null;
  items: SeedOrder['items'];
  totalCents: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The seed user in the wire shape, as the shop's first-run seed stores it (version 1). */
export const toWireUser = (u: SeedUser): WireUser => ({
  id: u.id,
  email: u.email,
  name: `${u.givenName} ${u.familyName}`,
  createdAt: u.createdAt,
  updatedAt: u.createdAt,
  version: 1,
});

/** The seed order in the wire shape, as the shop's first-run seed stores it (version 1). */
export const toWireOrder = (o: SeedOrder): WireOrder => ({
  id: o.id,
  userId: o.userId,
  status: o.status,
  reason: null,
  items: o.items,
  totalCents: o.totalCents,
  createdAt: o.createdAt,
  updatedAt: o.createdAt,
  version: 1,
});

/** Bumped whenever the stored documents change shape; an older file is reseeded. */
const SCHEMA_VERSION = 2;

/** The owner services a peer stack runs. */
export type OwnerName = 'users' | 'orders';

/** Most ids one batch read answers, as in weft's owner contract. */
export const MAX_BATCH_IDS = 100;
/** Largest page an order listing answers. */
export const MAX_PAGE_LIMIT = 100;

/** A page of orders; `nextCursor` is null on the last page. */
export interface OrderPage {
  items: WireOrder[];
  nextCursor: string | null;
}

/** A batch read: the rows found, in the order asked, and the ids that were not. */
export interface UserBatch {
  items: WireUser[];
  missing: string[];
}

function open(dataDir: string, owner: OwnerName): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(join(dataDir, `${owner}.db`));
  db.exec('PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL;');
  return db;
}

/** Creates and seeds the table unless the file already holds this schema version's seed. */
function ensureSeeded(
  db: DatabaseSync,
  table: string,
  ddl: string,
  rows: Iterable<{ id: string }>,
  extra: string,
): void {
  const { user_version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (user_version === SCHEMA_VERSION) return;
  db.exec(`DROP TABLE IF EXISTS ${table}; ${ddl}`);
  const insert = db.prepare(`INSERT OR IGNORE INTO ${table} VALUES (?, ?${extra ? ', ?' : ''})`);
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const row of rows) {
      if (extra) insert.run(row.id, (row as unknown as Record<string, string>)[extra], JSON.stringify(row));
      else insert.run(row.id, JSON.stringify(row));
    }
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** The users owner's store. */
export function openUsers(dataDir: string) {
  const db = open(dataDir, 'users');
  ensureSeeded(
    db,
    'users',
    'CREATE TABLE users (id TEXT PRIMARY KEY, doc TEXT NOT NULL)',
    [...seedUsers()].map(toWireUser),
    '',
  );
  const byId = db.prepare('SELECT doc FROM users WHERE id = ?');
  return {
    get(id: string): WireUser | undefined {
      const row = byId.get(id) as { doc: string } | undefined;
      return row ? JSON.parse(row.doc) : undefined;
    },
    getMany(ids: readonly string[]): UserBatch {
      const unique = [...new Set(ids)].slice(0, MAX_BATCH_IDS);
      const rows = db
        .prepare(`SELECT id, doc FROM users WHERE id IN (${unique.map(() => '?').join(',')})`)
        .all(...unique) as { id: string; doc: string }[];
      const found = new Map(rows.map((r) => [r.id, JSON.parse(r.doc) as WireUser]));
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
  ensureSeeded(
    db,
    'orders',
    'CREATE TABLE orders (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, doc TEXT NOT NULL);' +
      'CREATE INDEX orders_user ON orders (user_id, id)',
    [...seedOrders()].map(toWireOrder),
    'userId',
  );
  const byId = db.prepare('SELECT doc FROM orders WHERE id = ?');
  // Newest first; seed ids grow with createdAt, so the id is the stable sort key and the cursor.
  const firstPage = db.prepare('SELECT id, doc FROM orders WHERE user_id = ? ORDER BY id DESC LIMIT ?');
  const nextPage = db.prepare(
    'SELECT id, doc FROM orders WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
  );
  return {
    get(id: string): WireOrder | undefined {
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
        items: page.map((r) => JSON.parse(r.doc) as WireOrder),
        nextCursor: rows.length > take ? Buffer.from(page[page.length - 1].id).toString('base64url') : null,
      };
    },
    close: () => db.close(),
  };
}
