/**
 * `naive` gateway: the blog-post way. Express in front, the global fetch behind, every upstream
 * call awaited in turn: S1 reads the user, then the order; S2 reads the page, then each order's user
 * one by one (N+1).
 */
import express from 'express';
import {
  badRequest,
  orderNotFound,
  parseLimit,
  readPeerEnv,
  upstreamFailed,
  userNotFound,
} from '../shared/contract.ts';
import type { OrderPage, WireOrder, WireUser } from '../shared/store.ts';

const env = readPeerEnv();

async function get<T>(url: string): Promise<T | undefined> {
  const res = await fetch(url);
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

const app = express();
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ok' });
});

app.get('/v1/users/:userId/orders/:orderId', async (req, res) => {
  const { userId, orderId } = req.params;
  try {
    const user = await get<WireUser>(`${env.upstreams.users}/v1/users/${encodeURIComponent(userId)}`);
    if (!user) {
      res.status(404).json(userNotFound(userId));
      return;
    }
    const order = await get<WireOrder>(`${env.upstreams.orders}/v1/orders/${encodeURIComponent(orderId)}`);
    if (!order || order.userId !== userId) {
      res.status(404).json(orderNotFound(orderId));
      return;
    }
    res.json({ user, order });
  } catch (error) {
    res.status(502).json(upstreamFailed((error as Error).message));
  }
});

app.get('/v1/orders', async (req, res) => {
  const userId = req.query.userId;
  const limit = parseLimit(req.query.limit);
  if (typeof userId !== 'string' || !userId || limit === undefined) {
    res.status(400).json(badRequest('userId and limit 1..100 are required'));
    return;
  }
  try {
    const qs = new URLSearchParams({ userId, limit: String(limit) });
    if (typeof req.query.cursor === 'string') qs.set('cursor', req.query.cursor);
    const page = (await get<OrderPage>(`${env.upstreams.orders}/v1/orders?${qs}`))!;
    const include = String(req.query.include ?? '').split(',');
    if (!include.includes('user')) {
      res.json(page);
      return;
    }
    const items = [];
    for (const order of page.items) {
      const user = await get<WireUser>(`${env.upstreams.users}/v1/users/${encodeURIComponent(order.userId)}`);
      items.push({ ...order, user: user ?? null });
    }
    res.json({ items, nextCursor: page.nextCursor });
  } catch (error) {
    res.status(502).json(upstreamFailed((error as Error).message));
  }
});

const server = app.listen(env.port, env.host);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
