/** `naive` orders owner: Express over the peers' SQLite store. */
import express from 'express';
import { badRequest, orderNotFound, parseLimit, readPeerEnv } from '../shared/contract.ts';
import { openOrders } from '../shared/store.ts';

const env = readPeerEnv();
const orders = openOrders(env.dataDir);
const app = express();

app.get('/readyz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/v1/orders/:id', (req, res) => {
  const order = orders.get(req.params.id);
  if (!order) res.status(404).json(orderNotFound(req.params.id));
  else res.json(order);
});
app.get('/v1/orders', (req, res) => {
  const limit = parseLimit(req.query.limit);
  const userId = req.query.userId;
  if (typeof userId !== 'string' || !userId || limit === undefined) {
    res.status(400).json(badRequest('userId and limit 1..100 are required'));
    return;
  }
  const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
  res.json(orders.list(userId, limit, cursor));
});

const server = app.listen(env.port, env.host);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
