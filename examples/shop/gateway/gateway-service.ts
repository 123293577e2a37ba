import { type Static, Type } from 'typebox';
import type { ServiceClient } from '../../../src/client/index.ts';
import { Batcher, PartialResult } from '../../../src/compose/index.ts';
import { WeftError } from '../../../src/errors/index.ts';
import { defineService, etag, ProblemSchema, type Service } from '../../../src/service/index.ts';
import { Cursor, Id, Limit, Nullable, OrderSchema, ProductSchema, UserV1, UserV2 } from '../contracts.ts';
import { shopErrors } from '../errors.ts';

type User = Static<typeof UserV1>;
type Order = Static<typeof OrderSchema>;
type Product = Static<typeof ProductSchema>;
type ListAnswer<T> = { items: T[]; missing?: string[]; nextCursor?: string | null };
type UserOrdersPage = { userId: string; items: Order[]; nextCursor: string | null };

/** The gateway's v1 user routes have a v2 successor; v1 ends then. */
export const GATEWAY_V1_SUNSET = '2027-06-30';
/** Deadline of the gateway's reads when the caller sends none: a page that takes longer has failed. */
export const READ_DEADLINE_MS = 5_000;
/** Latest orders shown with `GET /v1/users/{u}?include=orders` unless `ordersLimit` says otherwise. */
export const DEFAULT_LATEST_ORDERS = 10;

/** The upstream clients the gateway composes from. */
export interface GatewayUpstreams {
  users: ServiceClient;
  orders: ServiceClient;
  inventory: ServiceClient;
}

const ErrorItems = Type.Optional(ProblemSchema.properties.errors);
const ExpandedOrder = Type.Object({
  ...OrderSchema.properties,
  user: Type.Optional(Nullable(UserV1)),
  items: Type.Array(
    Type.Object({
      ...OrderSchema.properties.items.items.properties,
      product: Type.Optional(Nullable(ProductSchema)),
    }),
  ),
});
const Include = (names: readonly string[]) =>
  Type.String({
    pattern: `^(${names.map((n) => n.replace('.', '\\.')).join('|')})(,(${names.map((n) => n.replace('.', '\\.')).join('|')}))*$`,
    description: `Comma-separated expansions: ${names.join(', ')}`,
  });

/** Loads users, orders and products by id through batch calls shared by concurrent requests. */
function batchersFor(upstreams: GatewayUpstreams) {
  const batchOf =
    <T extends { id: string }>(client: ServiceClient, path: string) =>
    async (ids: readonly string[]) => {
      // A shared batch carries many requests: hedge it (an idempotent read) rather than let one
      // stuck instance fail them all at their deadline.
      const answer = await client.get<ListAnswer<T>>(path, { query: { ids: ids.join(',') }, hedge: true });
      return new Map(answer.items.map((item) => [item.id, item]));
    };
  // Users' first pages share calls too, one batcher per page size (a call has one limit).
  const firstPages = new Map<number, Batcher<UserOrdersPage>>();
  return {
    users: new Batcher<User>({ loadMany: batchOf<User>(upstreams.users, '/v1/users') }),
    orders: new Batcher<Order>({ loadMany: batchOf<Order>(upstreams.orders, '/v1/orders') }),
    products: new Batcher<Product>({ loadMany: batchOf<Product>(upstreams.inventory, '/v1/products') }),
    /** The first page of a user's orders, newest first. */
    firstPageOfOrders(userId: string, limit: number): Promise<UserOrdersPage | undefined> {
      let batcher = firstPages.get(limit);
      if (batcher === undefined) {
        batcher = new Batcher<UserOrdersPage>({
          async loadMany(userIds) {
            const answer = await upstreams.orders.get<{ pages: UserOrdersPage[] }>('/v1/order-pages', {
              query: { userIds: userIds.join(','), limit },
              hedge: true,
            });
            return new Map(answer.pages.map((page) => [page.userId, page]));
          },
        });
        firstPages.set(limit, batcher);
      }
      return batcher.load(userId);
    },
  };
}

/** The public edge of the shop: composes answers from the owners' APIs, never their tables. */
export function createGatewayService(options: {
  upstreams: GatewayUpstreams;
  instance?: string;
  logLevel?: string;
  maxInflightRequests?: number;
}): Service {
  const { upstreams } = options;
  const load = batchersFor(upstreams);
  const service = defineService({
    name: 'gateway',
    instance: options.instance,
    logLevel: options.logLevel,
    maxInflightRequests: options.maxInflightRequests,
    errors: shopErrors,
    versions: {
      v1: { deprecated: { sunset: GATEWAY_V1_SUNSET, link: '/docs' } },
      v2: {},
    },
    readiness: async (signal) => {
      await Promise.all(Object.values(upstreams).map((client) => client.get('/readyz', { signal })));
    },
  });
  const app = service.app;

  async function requireUser(userId: string): Promise<User> {
    const user = await load.users.load(userId);
    if (!user) throw new WeftError('USER_NOT_FOUND', `No user ${userId}`);
    return user;
  }

  /** Expands a page of orders: one batch call per expansion, whatever the page size. */
  async function expand(orders: Order[], include: ReadonlySet<string>, partial: PartialResult) {
    const [users, products] = await Promise.all([
      include.has('user')
        ? partial.optional('user', load.users.loadAll(unique(orders.map((o) => o.userId))))
        : undefined,
      include.has('items.product')
        ? partial.optional(
            'items.product',
            load.products.loadAll(unique(orders.flatMap((o) => o.items.map((i) => i.productId)))),
          )
        : undefined,
    ]);
    return orders.map((order) => ({
      ...order,
      ...(users === undefined ? {} : { user: users.get(order.userId) ?? null }),
      items:
        products === undefined
          ? order.items
          : order.items.map((item) => ({ ...item, product: products.get(item.productId) ?? null })),
    }));
  }

  app.get(
    '/v1/users/:userId/orders/:orderId',
    {
      config: { deadlineMs: READ_DEADLINE_MS },
      schema: {
        tags: ['composed'],
        description:
          "A user and one of its orders, fetched in parallel. 404 when either is missing or the order is not the user's.",
        params: Type.Object({ userId: Id, orderId: Id }),
        response: { 200: Type.Object({ user: UserV1, order: OrderSchema }) },
      },
    },
    async (request, reply) => {
      const { userId, orderId } = request.params;
      const [user, order] = await Promise.all([requireUser(userId), load.orders.load(orderId)]);
      // An order of another user answers exactly like a missing one: no id probing across users.
      if (!order || order.userId !== userId)
        throw new WeftError('ORDER_NOT_FOUND', `User ${userId} has no order ${orderId}`);
      reply.header('etag', etag(`${user.version}.${order.version}`));
      return { user, order };
    },
  );

  app.get(
    '/v1/users/:userId',
    {
      config: { deadlineMs: READ_DEADLINE_MS },
      schema: {
        tags: ['composed'],
        description:
          'A user; with `include=orders`, also its latest orders (an optional part: a failure is reported in `errors`).',
        params: Type.Object({ userId: Id }),
        querystring: Type.Object(
          { include: Type.Optional(Include(['orders'])), ordersLimit: Type.Optional(Limit) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            ...UserV1.properties,
            orders: Type.Optional(Type.Array(OrderSchema)),
            errors: ErrorItems,
          }),
        },
      },
    },
    async (request) => {
      const { userId } = request.params;
      if (request.query.include === undefined) return requireUser(userId);
      const partial = new PartialResult();
      const [user, orders] = await Promise.all([
        requireUser(userId),
        partial.optional(
          'orders',
          load.firstPageOfOrders(userId, request.query.ordersLimit ?? DEFAULT_LATEST_ORDERS),
        ),
      ]);
      return partial.finish(orders === undefined ? user : { ...user, orders: orders.items });
    },
  );

  app.get(
    '/v1/orders',
    {
      config: { deadlineMs: READ_DEADLINE_MS },
      schema: {
        tags: ['composed'],
        description:
          'A page of orders (of one user, newest first, with `userId`), expanded with `include`. One upstream call per expansion per request, whatever the page size.',
        querystring: Type.Object(
          {
            userId: Type.Optional(Id),
            include: Type.Optional(Include(['user', 'items.product'])),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(ExpandedOrder),
            nextCursor: Nullable(Type.String()),
            errors: ErrorItems,
          }),
        },
      },
    },
    async (request) => {
      const { userId, include, limit = 20, cursor } = request.query;
      // A user's first page joins other requests' in one shared call; later pages go on their own.
      const page =
        userId !== undefined && cursor === undefined
          ? ((await load.firstPageOfOrders(userId, limit)) ?? { items: [], nextCursor: null })
          : await upstreams.orders.get<ListAnswer<Order>>('/v1/orders', { query: { userId, limit, cursor } });
      const partial = new PartialResult();
      const items = await expand(page.items, new Set(include?.split(',')), partial);
      return partial.finish({ items, nextCursor: page.nextCursor ?? null });
    },
  );

  app.get(
    '/v1/orders/:orderId',
    {
      config: { deadlineMs: READ_DEADLINE_MS },
      schema: {
        tags: ['composed'],
        params: Type.Object({ orderId: Id }),
        querystring: Type.Object(
          { include: Type.Optional(Include(['user', 'items.product'])) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ ...ExpandedOrder.properties, errors: ErrorItems }),
        },
      },
    },
    async (request, reply) => {
      const order = await load.orders.load(request.params.orderId);
      if (!order) throw new WeftError('ORDER_NOT_FOUND', `No order ${request.params.orderId}`);
      const partial = new PartialResult();
      const [expanded] = await expand([order], new Set(request.query.include?.split(',')), partial);
      if (request.query.include === undefined) reply.header('etag', etag(order.version));
      return partial.finish(expanded);
    },
  );

  app.get(
    '/v2/users/:userId',
    {
      config: { deadlineMs: READ_DEADLINE_MS },
      schema: {
        tags: ['users'],
        description: 'The v2 shape of a user: the name split into given and family.',
        params: Type.Object({ userId: Id }),
        response: { 200: UserV2 },
      },
    },
    async (request, reply) => {
      const answer = await upstreams.users.request<Static<typeof UserV2>>({
        path: `/v2/users/${request.params.userId}`,
      });
      const tag = answer.headers.etag;
      if (typeof tag === 'string') reply.header('etag', tag);
      return answer.body;
    },
  );

  return service;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
