import type { Kysely } from 'kysely';
import type { Migration } from '../../../src/store/index.ts';
import { seedProducts } from '../seed-data.ts';

/** A product and its stock, as the inventory service owns them. */
export interface Product {
  id: string;
  name: string;
  priceCents: number;
  stock: number;
  version: number;
}

interface ProductRow {
  id: string;
  name: string;
  price_cents: number;
  stock: number;
  version: number;
}

export const productMigrations: readonly Migration[] = [
  {
    name: '001_products',
    async up(db) {
      await db.schema
        .createTable('products')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('price_cents', 'integer', (c) => c.notNull())
        .addColumn('stock', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
    },
  },
];

/** The first-run seed, applied once like a migration. */
export function productSeed(progress: (message: string) => void): Migration {
  return {
    name: '900_seed_products',
    async up(db) {
      const rows = [...seedProducts()].map((p) => toRow({ ...p, version: 1 }));
      progress(`seeding ${rows.length} products`);
      await db.insertInto('products').values(rows).execute();
    },
  };
}

function toRow(product: Product): ProductRow {
  return {
    id: product.id,
    name: product.name,
    price_cents: product.priceCents,
    stock: product.stock,
    version: product.version,
  };
}

function fromRow(row: ProductRow): Product {
  return {
    id: row.id,
    name: row.name,
    priceCents: Number(row.price_cents),
    stock: Number(row.stock),
    version: Number(row.version),
  };
}

export async function findProduct(db: Kysely<any>, id: string): Promise<Product | undefined> {
  const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row as ProductRow) : undefined;
}

export async function findProducts(db: Kysely<any>, ids: readonly string[]): Promise<Product[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('products').selectAll().where('id', 'in', ids).execute();
  return (rows as ProductRow[]).map(fromRow);
}

export async function pageProducts(
  db: Kysely<any>,
  after: string | undefined,
  limit: number,
): Promise<Product[]> {
  let query = db.selectFrom('products').selectAll().orderBy('id').limit(limit);
  if (after !== undefined) query = query.where('id', '>', after);
  return ((await query.execute()) as ProductRow[]).map(fromRow);
}

export async function insertProduct(db: Kysely<any>, product: Product): Promise<void> {
  await db.insertInto('products').values(toRow(product)).execute();
}

/** Writes the product if its stored version is still `expectedVersion`. */
export async function updateProduct(
  db: Kysely<any>,
  product: Product,
  expectedVersion: number,
): Promise<boolean> {
  const result = await db
    .updateTable('products')
    .set(toRow(product))
    .where('id', '=', product.id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteProduct(db: Kysely<any>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('products').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
