import { Type } from 'typebox';
import { WeftError } from '../../../src/errors/index.ts';
import {
  decodeCursor,
  defineService,
  encodeCursor,
  etag,
  ifMatch,
  parseIdList,
  type Service,
} from '../../../src/service/index.ts';
import { isUniqueViolation, type Store } from '../../../src/store/index.ts';
import { batchAnswer } from '../batch.ts';
import { Cursor, Id, IdList, Limit, ListAnswer, Nullable, OrderSchema, OrderStatus } from '../contracts.ts';
import { shopErrors } from '../errors.ts';
import { updateVersioned, type VersionedTable } from '../versioned-update.ts';
import {
  deleteOrder,
  findOrder,
  findOrders,
  insertOrder,
  latestOrdersOfUsers,
  type Order,
  pageOrders,
  pageOrdersOfUser,
  updateOrder,
} from './orders-store.ts';

const OrderParams = Type.Object({ orderId: Id });
const CreateOrderBody = Type.Object(
  {
    id: Type.Optional(Id),
    userId: Id,
    items: Type.Array(
      Type.Object(
        {
          productId: Id,
          quantity: Type.Integer({ minimum: 1, maximum: 1000 }),
          priceCents: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
const PatchOrderBody = Type.Object(
  {
    status: Type.Optional(OrderStatus),
    reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ListQuery = Type.Object(
  {
    ids: Type.Optional(IdList),
    userId: Type.Optional(Id),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const OrderPagesQuery = Type.Object(
  { userIds: IdList, limit: Type.Optional(Limit) },
  { additionalProperties: false },
);

const notFound = (id: string) => new WeftError('ORDER_NOT_FOUND', `No order ${id}`);
const orders: VersionedTable<Order> = { noun: 'Order', find: findOrder, write: updateOrder, notFound };

/** A user's page from `limit + 1` newest-first rows: the extra row only says a next page exists. */
function userPage(rows: Order[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > limit ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}
const render = (order: Order) => order;

/** The orders service: the only code that reads or writes the orders table. */
export function createOrdersService(options: {
  store: Store;
  instance?: string;
  logLevel?: string;
}): Service {
  const { store } = options;
  const service = defineService({
    name: 'orders',
    instance: options.instance,
    logLevel: options.logLevel,
    errors: shopErrors,
    versions: { v1: {} },
    readiness: (signal) => store.ping(signal),
  });
  const app = service.app;
  const db = (signal?: AbortSignal) => store.withSignal(signal);

  app.get(
    '/v1/orders/:orderId',
    {
      schema: { tags: ['orders'], params: OrderParams, response: { 200: OrderSchema } },
    },
    async (request, reply) => {
      const order = await findOrder(db(request.ctx.signal), request.params.orderId);
      if (!order) throw notFound(request.params.orderId);
      reply.header('etag', etag(order.version));
      return order;
    },
  );

  app.get(
    '/v1/orders',
    {
      schema: {
        tags: ['orders'],
        description:
          "With `ids`: a batch read (at most 100) answering `{ items, missing }`. With `userId`: that user's orders, newest first. Otherwise all orders by id. Pages use `limit` and `cursor`.",
        querystring: ListQuery,
        response: { 200: ListAnswer(OrderSchema) },
      },
    },
    async (request) => {
      const { ids, userId, limit = 50, cursor } = request.query;
      const reader = db(request.ctx.signal);
      if (ids !== undefined) {
        const wanted = parseIdList(ids);
        return batchAnswer(wanted, await findOrders(reader, wanted), render);
      }
      const position = cursor === undefined ? undefined : decodeCursor(cursor);
      if (userId !== undefined) {
        const after =
          position === undefined
            ? undefined
            : { createdAt: String(position.createdAt), id: String(position.id) };
        return userPage(await pageOrdersOfUser(reader, userId, after, limit + 1), limit);
      }
      const page = await pageOrders(
        reader,
        position === undefined ? undefined : String(position.after),
        limit + 1,
      );
      const items = page.slice(0, limit);
      return {
        items,
        nextCursor: page.length > limit ? encodeCursor({ after: items[items.length - 1].id }) : null,
      };
    },
  );

  app.get(
    '/v1/order-pages',
    {
      schema: {
        tags: ['orders'],
        description:
          "The first page (newest first) of several users' orders in one call: what a gateway answering many users at once needs. Continue a page with `GET /v1/orders?userId=&cursor=`.",
        querystring: OrderPagesQuery,
        response: {
          200: Type.Object({
            pages: Type.Array(
              Type.Object({
                userId: Type.String(),
                items: Type.Array(OrderSchema),
                nextCursor: Nullable(Type.String()),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const userIds = parseIdList(request.query.userIds);
      const limit = request.query.limit ?? 50;
      const rows = await latestOrdersOfUsers(db(request.ctx.signal), userIds, limit + 1);
      return { pages: userIds.map((userId) => ({ userId, ...userPage(rows.get(userId)!, limit) })) };
    },
  );

  app.post(
    '/v1/orders',
    {
      schema: {
        tags: ['orders'],
        body: CreateOrderBody,
        response: { 201: OrderSchema },
      },
    },
    async (request, reply) => {
      const now = new Date().toISOString();
      const items = request.body.items;
      const order: Order = {
        id: request.body.id ?? `ord_${crypto.randomUUID()}`,
        userId: request.body.userId,
        status: 'PENDING',
        reason: null,
        items,
        totalCents: items.reduce((sum, item) => sum + item.quantity * item.priceCents, 0),
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      try {
        await store.transaction((trx) => insertOrder(trx, order), { signal: request.ctx.signal });
      } catch (error) {
        if (isUniqueViolation(error)) throw new WeftError('ID_TAKEN', `An order with id ${order.id} exists`);
        throw error;
      }
      reply.code(201).header('location', `/v1/orders/${order.id}`).header('etag', etag(order.version));
      return order;
    },
  );

  app.patch(
    '/v1/orders/:orderId',
    {
      schema: {
        tags: ['orders'],
        params: OrderParams,
        body: PatchOrderBody,
        response: { 200: OrderSchema },
      },
    },
    async (request, reply) => {
      const updated = await updateVersioned(
        store,
        orders,
        request.params.orderId,
        ifMatch(request),
        (current) => ({
          ...current,
          ...(request.body.status === undefined ? {} : { status: request.body.status }),
          ...(request.body.reason === undefined ? {} : { reason: request.body.reason }),
          updatedAt: new Date().toISOString(),
        }),
        request.ctx.signal,
      );
      reply.header('etag', etag(updated.version));
      return updated;
    },
  );

  app.delete(
    '/v1/orders/:orderId',
    {
      schema: { tags: ['orders'], params: OrderParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      if (!(await deleteOrder(db(request.ctx.signal), request.params.orderId))) {
        throw notFound(request.params.orderId);
      }
      reply.code(204);
      return null;
    },
  );

  return service;
}
