/**
 * `hand` gateway: the careful hand-written baseline. Fastify in front, one undici Pool per owner
 * (keep-alive, no pipelining), S1's two reads in parallel, S2 batched: one orders page call and one
 * batch users call whatever the page size.
 */
import Fastify from 'fastify';
import { Pool } from 'undici';
import {
  badRequest,
  orderNotFound,
  PROBLEM_TYPE,
  parseLimit,
  readPeerEnv,
  upstreamFailed,
  userNotFound,
} from '../shared/contract.ts';
import type { OrderPage, UserBatch, WireOrder, WireUser } from '../shared/store.ts';

/** Sockets per owner: above the benchmark's 50 inbound connections, so the pool never queues. */
const POOL_CONNECTIONS = 64;

const env = readPeerEnv();
const pools = {
  users: new Pool(env.upstreams.users, { connections: POOL_CONNECTIONS }),
  orders: new Pool(env.upstreams.orders, { connections: POOL_CONNECTIONS }),
};

/** GETs a path; undefined on 404, throws on any other non-2xx. */
async function get<T>(pool: Pool, path: string): Promise<T | undefined> {
  const { statusCode, body } = await pool.request({ method: 'GET', path });
  if (statusCode === 404) {
    await body.dump();
    return undefined;
  }
  if (statusCode >= 300) {
    await body.dump();
    throw new Error(`GET ${path} answered ${statusCode}`);
  }
  return (await body.json()) as T;
}

const app = Fastify({ logger: false });
app.get('/readyz', async () => ({ status: 'ok' }));

app.get<{ Params: { userId: string; orderId: string } }>(
  '/v1/users/:userId/orders/:orderId',
  async (req, reply) => {
    const { userId, orderId } = req.params;
    try {
      const [user, order] = await Promise.all([
        get<WireUser>(pools.users, `/v1/users/${encodeURIComponent(userId)}`),
        get<WireOrder>(pools.orders, `/v1/orders/${encodeURIComponent(orderId)}`),
      ]);
      if (!user) return reply.code(404).type(PROBLEM_TYPE).send(userNotFound(userId));
      if (!order || order.userId !== userId) {
        return reply.code(404).type(PROBLEM_TYPE).send(orderNotFound(orderId));
      }
      return { user, order };
    } catch (error) {
      return reply
        .code(502)
        .type(PROBLEM_TYPE)
        .send(upstreamFailed((error as Error).message));
    }
  },
);

app.get<{ Querystring: { userId?: string; include?: string; limit?: string; cursor?: string } }>(
  '/v1/orders',
  async (req, reply) => {
    const { userId, include, cursor } = req.query;
    const limit = parseLimit(req.query.limit);
    if (!userId || limit === undefined) {
      return reply.code(400).type(PROBLEM_TYPE).send(badRequest('userId and limit 1..100 are required'));
    }
    try {
      const qs = new URLSearchParams({ userId, limit: String(limit) });
      if (cursor) qs.set('cursor', cursor);
      const page = (await get<OrderPage>(pools.orders, `/v1/orders?${qs}`))!;
      if (!include?.split(',').includes('user')) return page;
      const ids = [...new Set(page.items.map((o) => o.userId))];
      const users = ids.length
        ? (await get<UserBatch>(pools.users, `/v1/users?ids=${ids.map(encodeURIComponent).join(',')}`))!
        : { items: [], missing: [] };
      const byId = new Map(users.items.map((u) => [u.id, u]));
      return {
        items: page.items.map((o) => ({ ...o, user: byId.get(o.userId) ?? null })),
        nextCursor: page.nextCursor,
      };
    } catch (error) {
      return reply
        .code(502)
        .type(PROBLEM_TYPE)
        .send(upstreamFailed((error as Error).message));
    }
  },
);

await app.listen({ port: env.port, host: env.host });
process.once('SIGTERM', () =>
  app
    .close()
    .then(() => Promise.all([pools.users.close(), pools.orders.close()]))
    .then(() => process.exit(0)),
);
