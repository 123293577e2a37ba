/** `moleculer` orders owner: an `orders` service with `get` and `list` actions. */
import moleculer from 'moleculer';
import { readPeerEnv } from '../shared/contract.ts';
import { openOrders } from '../shared/store.ts';
import { createBroker, stopOnSigterm } from './broker.ts';

const orders = openOrders(readPeerEnv({ PORT: '1', ...process.env }).dataDir);
const broker = createBroker('orders');

broker.createService({
  name: 'orders',
  actions: {
    get(ctx: moleculer.Context<{ id: string }>) {
      const order = orders.get(ctx.params.id);
      if (!order) throw new moleculer.Errors.MoleculerClientError('No such order', 404, 'ORDER_NOT_FOUND');
      return order;
    },
    list(ctx: moleculer.Context<{ userId: string; limit: number; cursor?: string }>) {
      return orders.list(ctx.params.userId, ctx.params.limit, ctx.params.cursor);
    },
  },
});

await broker.start();
stopOnSigterm(broker);
