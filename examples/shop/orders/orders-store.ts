import type { Kysely } from 'kysely';
import type { Migration } from '../../../src/store/index.ts';
import { seedOrders } from '../seed-data.ts';

/** The life of an order: placed as PENDING, then CONFIRMED or REJECTED (with a reason). */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED';

export interface OrderItem {
  productId: string;
  quantity: number;
  priceCents: number;
}

/** An order as the orders service owns it. */
export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  reason: string | null;
  items: OrderItem[];
  totalCents: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

interface OrderRow {
  id: string;
  user_id: string;
  status: string;
  reason: string | null;
  items: string;
  total_cents: number;
  created_at: string;
  updated_at: string;
  version: number;
}

export const orderMigrations: readonly Migration[] = [
  {
    name: '001_orders',
    async up(db) {
      await db.schema
        .createTable('orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        // JSON as text: the same column works on SQLite and PostgreSQL.
        .addColumn('items', 'text', (c) => c.notNull())
        .addColumn('total_cents', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('orders_by_user_newest')
        .on('orders')
        .columns(['user_id', 'created_at desc', 'id desc'])
        .execute();
    },
  },
];

/** Rows per INSERT while seeding: well under SQLite's bound-variable limit (9 columns each). */
const SEED_CHUNK = 500;

/** The first-run seed, applied once like a migration. */
export function orderSeed(progress: (message: string) => void): Migration {
  return {
    name: '900_seed_orders',
    async up(db) {
      const rows = [...seedOrders()].map((o) =>
        toRow({ ...o, reason: null, updatedAt: o.createdAt, version: 1 }),
      );
      progress(`seeding ${rows.length} orders`);
      for (let i = 0; i < rows.length; i += SEED_CHUNK) {
        await db
          .insertInto('orders')
          .values(rows.slice(i, i + SEED_CHUNK))
          .execute();
        if ((i + SEED_CHUNK) % 5000 === 0) progress(`seeded ${i + SEED_CHUNK} of ${rows.length} orders`);
      }
    },
  };
}

function toRow(order: Order): OrderRow {
  return {
    id: order.id,
    user_id: order.userId,
    status: order.status,
    reason: order.reason,
    items: JSON.stringify(order.items),
    total_cents: order.totalCents,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    version: order.version,
  };
}

function fromRow(row: OrderRow): Order {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status as OrderStatus,
    reason: row.reason,
    items: JSON.parse(row.items) as OrderItem[],
    totalCents: Number(row.total_cents),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: Number(row.version),
  };
}

export async function findOrder(db: Kysely<any>, id: string): Promise<Order | undefined> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row as OrderRow) : undefined;
}

export async function findOrders(db: Kysely<any>, ids: readonly string[]): Promise<Order[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('orders').selectAll().where('id', 'in', ids).execute();
  return (rows as OrderRow[]).map(fromRow);
}

/** Position of an order in a user's newest-first list, carried in the cursor. */
export interface UserPosition {
  createdAt: string;
  id: string;
}

/** A user's orders, newest first, after the given position. */
export async function pageOrdersOfUser(
  db: Kysely<any>,
  userId: string,
  after: UserPosition | undefined,
  limit: number,
): Promise<Order[]> {
  let query = db
    .selectFrom('orders')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  return ((await query.execute()) as OrderRow[]).map(fromRow);
}

/**
 * The newest `limit` orders of each user: what a gateway needs to answer many users' first pages
 * with one call. One indexed query per user (each stops after `limit` rows of the user/newest
 * index) measured faster on SQLite than a single windowed query, which ranks every row of every
 * user asked for.
 */
export async function latestOrdersOfUsers(
  db: Kysely<any>,
  userIds: readonly string[],
  limit: number,
): Promise<Map<string, Order[]>> {
  const pages = new Map<string, Order[]>();
  for (const userId of userIds) pages.set(userId, await pageOrdersOfUser(db, userId, undefined, limit));
  return pages;
}

/** All orders ordered by id, after the given id. */
export async function pageOrders(
  db: Kysely<any>,
  after: string | undefined,
  limit: number,
): Promise<Order[]> {
  let query = db.selectFrom('orders').selectAll().orderBy('id').limit(limit);
  if (after !== undefined) query = query.where('id', '>', after);
  return ((await query.execute()) as OrderRow[]).map(fromRow);
}

export async function insertOrder(db: Kysely<any>, order: Order): Promise<void> {
  await db.insertInto('orders').values(toRow(order)).execute();
}

/** Writes the order if its stored version is still `expectedVersion`. */
export async function updateOrder(db: Kysely<any>, order: Order, expectedVersion: number): Promise<boolean> {
  const result = await db
    .updateTable('orders')
    .set(toRow(order))
    .where('id', '=', order.id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteOrder(db: Kysely<any>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('orders').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
