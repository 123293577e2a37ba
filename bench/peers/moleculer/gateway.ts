/**
 * `moleculer` gateway: moleculer-web as the HTTP edge and a local `bff` service that composes the
 * owners' actions — S1's two reads in parallel, S2 batched through one `users.getMany` call. The
 * HTTP port is PORT; `/readyz` answers 200 once both owner services are discovered.
 */
import moleculer from 'moleculer';
import ApiGateway from 'moleculer-web';
import { parseLimit, readPeerEnv } from '../shared/contract.ts';
import type { OrderPage, UserBatch, WireOrder, WireUser } from '../shared/store.ts';
import { createBroker, stopOnSigterm } from './broker.ts';

const env = readPeerEnv();
const broker = createBroker('gateway');
const { MoleculerClientError } = moleculer.Errors;

broker.createService({
  name: 'bff',
  actions: {
    ready(ctx: moleculer.Context<unknown, { $statusCode?: number }>) {
      const names = new Set(
        (ctx.broker.registry.getServiceList({ onlyAvailable: true }) as { name: string }[]).map(
          (s) => s.name,
        ),
      );
      if (names.has('users') && names.has('orders')) return { status: 'ok' };
      // Answered, not thrown: moleculer-web logs thrown 5xx errors at `error`.
      ctx.meta.$statusCode = 503;
      return { status: 'starting' };
    },
    async userOrder(ctx: moleculer.Context<{ userId: string; orderId: string }>) {
      const { userId, orderId } = ctx.params;
      const [user, order] = await Promise.all([
        ctx.call<WireUser, { id: string }>('users.get', { id: userId }),
        ctx.call<WireOrder, { id: string }>('orders.get', { id: orderId }),
      ]);
      if (order.userId !== userId) throw new MoleculerClientError('No such order', 404, 'ORDER_NOT_FOUND');
      return { user, order };
    },
    async ordersPage(ctx: moleculer.Context<{ userId?: string; include?: string; limit?: string }>) {
      const { userId, include } = ctx.params;
      const limit = parseLimit(ctx.params.limit);
      if (!userId || limit === undefined) {
        throw new MoleculerClientError('userId and limit 1..100 are required', 400, 'VALIDATION_FAILED');
      }
      const page = await ctx.call<OrderPage, object>('orders.list', { userId, limit });
      if (!include?.split(',').includes('user')) return page;
      const ids = [...new Set(page.items.map((o) => o.userId))];
      const users = await ctx.call<UserBatch, { ids: string[] }>('users.getMany', { ids });
      const byId = new Map(users.items.map((u) => [u.id, u]));
      return {
        items: page.items.map((o) => ({ ...o, user: byId.get(o.userId) ?? null })),
        nextCursor: page.nextCursor,
      };
    },
  },
});

broker.createService({
  name: 'api',
  mixins: [ApiGateway],
  settings: {
    port: env.port,
    ip: env.host,
    logRequest: null,
    logResponse: null,
    logRouteRegistration: null,
    routes: [
      {
        path: '/',
        mappingPolicy: 'restrict',
        bodyParsers: false,
        aliases: {
          'GET /readyz': 'bff.ready',
          'GET /v1/users/:userId/orders/:orderId': 'bff.userOrder',
          'GET /v1/orders': 'bff.ordersPage',
        },
      },
    ],
  },
});

await broker.start();
stopOnSigterm(broker);
