/** `hand` orders owner: Fastify over the peers' SQLite store. */
import Fastify from 'fastify';
import { badRequest, orderNotFound, PROBLEM_TYPE, parseLimit, readPeerEnv } from '../shared/contract.ts';
import { openOrders } from '../shared/store.ts';

const env = readPeerEnv();
const orders = openOrders(env.dataDir);
const app = Fastify({ logger: false });

app.get('/readyz', async () => ({ status: 'ok' }));
app.get<{ Params: { id: string } }>('/v1/orders/:id', async (req, reply) => {
  const order = orders.get(req.params.id);
  if (!order) return reply.code(404).type(PROBLEM_TYPE).send(orderNotFound(req.params.id));
  return order;
});
app.get<{ Querystring: { userId?: string; limit?: string; cursor?: string } }>(
  '/v1/orders',
  async (req, reply) => {
    const limit = parseLimit(req.query.limit);
    if (!req.query.userId || limit === undefined) {
      return reply.code(400).type(PROBLEM_TYPE).send(badRequest('userId and limit 1..100 are required'));
    }
    return orders.list(req.query.userId, limit, req.query.cursor);
  },
);

await app.listen({ port: env.port, host: env.host });
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
