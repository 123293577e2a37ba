import { type Static, type TSchema, Type } from 'typebox';

/**
 * The shop's API contracts: the wire shapes every service and the gateway agree on. Services share
 * these schemas (as they would share an OpenAPI document), never each other's code or tables.
 */

/** Comma-separated ids of a batch read (at most 100, checked by parseIdList). */
export const IdList = Type.String({ maxLength: 6500, description: 'Comma-separated ids, at most 100' });
export const Limit = Type.Integer({ minimum: 1, maximum: 100, description: 'Page size (default 50)' });
export const Cursor = Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page' });

/**
 * `T | null` written as `type: [T, 'null']` rather than `anyOf`: the compiled serializer then
 * branches on the value's type instead of validating every value against each alternative (which,
 * for an object with date-time fields, costs more than serializing it).
 */
export function Nullable<T extends TSchema>(schema: T) {
  const type = (schema as { type?: string }).type;
  if (typeof type !== 'string') throw new TypeError('Nullable needs a schema with a single type');
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
}

/** Ids are short and URL-safe, so a batch's comma-separated list needs no escaping. */
export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

/** A user in the v1 shape: one name string. */
export const UserV1 = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String({ description: 'Given and family name, space-separated' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
});

/** A user in the v2 shape: the name split in two. */
export const UserV2 = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.Object({ given: Type.String(), family: Type.String() }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
});

/** An order's status; `enum`, not a union of literals, so serializing it is a plain string write. */
export const OrderStatus = Type.Unsafe<'PENDING' | 'CONFIRMED' | 'REJECTED'>({
  type: 'string',
  enum: ['PENDING', 'CONFIRMED', 'REJECTED'],
});

export const OrderItemSchema = Type.Object({
  productId: Type.String(),
  quantity: Type.Integer({ minimum: 1 }),
  priceCents: Type.Integer({ minimum: 0 }),
});

/** An order on the wire. */
export const OrderSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  status: OrderStatus,
  reason: Nullable(Type.String()),
  items: Type.Array(OrderItemSchema),
  totalCents: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
});

/** A product on the wire. */
export const ProductSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  priceCents: Type.Integer(),
  stock: Type.Integer(),
  version: Type.Integer(),
});

/** A batch read's or a page's answer. */
export function ListAnswer<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    missing: Type.Optional(Type.Array(Type.String())),
    nextCursor: Type.Optional(Nullable(Type.String())),
  });
}
