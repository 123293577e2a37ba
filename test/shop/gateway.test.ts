import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type InProcessShop, startInProcessShop } from '../support/in-process-shop.ts';
import { type RecordingProxy, startRecordingProxy } from '../support/recording-proxy.ts';

const run = promisify(execFile);
let shop: InProcessShop;
const proxies: Record<string, RecordingProxy> = {};

before(async () => {
  // Each owner sits behind a recording proxy, so the tests can count the gateway's upstream calls.
  shop = await startInProcessShop({
    upstreamUrls: async (urls) => {
      for (const [name, url] of Object.entries(urls)) proxies[name] = await startRecordingProxy(url);
      return Object.fromEntries(Object.keys(urls).map((name) => [name, [proxies[name].url]]));
    },
  });
});
after(async () => {
  await shop?.stop();
  await Promise.all(Object.values(proxies).map((p) => p.close()));
});
beforeEach(() => {
  for (const proxy of Object.values(proxies)) {
    proxy.requests.length = 0;
    proxy.failWith = undefined;
  }
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(shop.urls.gateway + path, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const callsTo = (name: string, prefix: string) =>
  proxies[name].requests.filter((r) => r.url.startsWith(prefix) && !r.url.startsWith('/readyz'));

describe('gateway composition', () => {
  it('composes { user, order } from both owners in parallel', async () => {
    const answer = await get('/v1/users/usr_0001/orders/ord_00001');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.user.id, 'usr_0001');
    assert.equal(answer.body.order.id, 'ord_00001');
    assert.equal(answer.body.order.userId, 'usr_0001');
    assert.equal(callsTo('users', '/v1/users').length, 1);
    assert.equal(callsTo('orders', '/v1/orders').length, 1);
  });

  it("answers 404 ORDER_NOT_FOUND for another user's order, exactly like a missing one", async () => {
    const foreign = await get('/v1/users/usr_0001/orders/ord_00021');
    const missing = await get('/v1/users/usr_0001/orders/ord_99999');
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.code, 'ORDER_NOT_FOUND');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'ORDER_NOT_FOUND');
  });

  it('answers 404 USER_NOT_FOUND for a missing user', async () => {
    const answer = await get('/v1/users/usr_9999/orders/ord_00001');
    assert.equal(answer.status, 404);
    assert.equal(answer.body.code, 'USER_NOT_FOUND');
  });

  it('expands a page of 20 orders with one call to users and one to inventory', async () => {
    const answer = await get('/v1/orders?userId=usr_0005&include=user,items.product&limit=20');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.items.length, 20);
    for (const order of answer.body.items) {
      assert.equal(order.user.id, 'usr_0005');
      for (const item of order.items) assert.equal(item.product.id, item.productId);
    }
    assert.equal(callsTo('orders', '/v1/order').length, 1);
    assert.equal(callsTo('users', '/v1/users').length, 1);
    assert.equal(callsTo('inventory', '/v1/products').length, 1);
  });

  it('keeps one call per expansion whatever the page size', async () => {
    const answer = await get('/v1/orders?include=user&limit=100');
    assert.equal(answer.body.items.length, 100);
    assert.equal(new Set(answer.body.items.map((o: { userId: string }) => o.userId)).size, 5);
    assert.equal(callsTo('users', '/v1/users').length, 1);
  });

  it("shares one orders call between concurrent requests for different users' first pages", async () => {
    // Requests read from the network in the same event-loop turn share a call. The load comes from
    // another process, as in production: a client in this process would hand the gateway one
    // request per turn.
    const users = Array.from({ length: 40 }, (_, i) => `usr_${String(101 + i).padStart(4, '0')}`);
    const script = `
      const users = ${JSON.stringify(users)};
      const answers = await Promise.all(users.map((u) =>
        fetch(process.argv[1] + '/v1/orders?userId=' + u + '&include=user&limit=20').then((r) => r.json())));
      console.log(JSON.stringify(answers.map((a, i) => a.items.length === 20 && a.items.every((o) => o.user.id === users[i]))));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, shop.urls.gateway]);
    assert.deepEqual(
      JSON.parse(stdout),
      users.map(() => true),
    );
    const ordersCalls = callsTo('orders', '/v1/order').length;
    const usersCalls = callsTo('users', '/v1/users').length;
    console.log(
      `# ${users.length} concurrent first pages: ${ordersCalls} orders calls, ${usersCalls} users calls`,
    );
    assert.ok(ordersCalls < users.length, `${ordersCalls} orders calls for ${users.length} requests`);
  });

  it('pages with the cursor it gets from the owner', async () => {
    const first = await get('/v1/orders?userId=usr_0003&limit=12');
    const second = await get(
      `/v1/orders?userId=usr_0003&limit=12&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    const ids = [...first.body.items, ...second.body.items].map((o: { id: string }) => o.id);
    assert.equal(new Set(ids).size, 20);
    assert.equal(second.body.nextCursor, null);
  });

  it('answers the user with its latest orders', async () => {
    const answer = await get('/v1/users/usr_0003?include=orders');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.id, 'usr_0003');
    assert.equal(answer.body.orders.length, 10);
    assert.equal(answer.body.orders[0].id, 'ord_00060');
    assert.equal(answer.body.errors, undefined);
  });

  it('answers 200 with errors[] when the optional orders part fails', async () => {
    proxies.orders.failWith = 503;
    const answer = await get('/v1/users/usr_0003?include=orders');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.id, 'usr_0003');
    assert.equal(answer.body.orders, undefined);
    assert.equal(answer.body.errors.length, 1);
    assert.equal(answer.body.errors[0].path, 'orders');
  });

  it('answers 503 problem+json when a required part fails', async () => {
    proxies.users.failWith = 503;
    const answer = await get('/v1/users/usr_0004/orders/ord_00061');
    assert.ok(answer.status === 502 || answer.status === 503, `status ${answer.status}`);
    assert.ok(typeof answer.body.code === 'string');
  });

  it('expands one order with its user', async () => {
    const answer = await get('/v1/orders/ord_00041?include=user');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.user.id, 'usr_0003');
  });

  it('serves the v2 user shape, and marks v1 deprecated', async () => {
    const v2 = await get('/v2/users/usr_0001');
    assert.equal(v2.status, 200);
    assert.equal(typeof v2.body.name.given, 'string');
    assert.equal(v2.headers.get('deprecation'), null);
    const v1 = await get('/v1/users/usr_0001');
    assert.ok(v1.headers.get('deprecation'));
    assert.ok(v1.headers.get('sunset'));
    assert.ok(v1.headers.get('link'));
  });

  it('answers 304 to If-None-Match on a composed answer', async () => {
    const first = await get('/v1/users/usr_0001/orders/ord_00001');
    const tag = first.headers.get('etag');
    assert.ok(tag);
    const again = await fetch(`${shop.urls.gateway}/v1/users/usr_0001/orders/ord_00001`, {
      headers: { 'if-none-match': tag },
    });
    assert.equal(again.status, 304);
  });

  it('echoes x-request-id and passes it to every upstream', async () => {
    const answer = await get('/v1/orders?userId=usr_0001&include=user&limit=2', {
      'x-request-id': 'trace-me-42',
    });
    assert.equal(answer.headers.get('x-request-id'), 'trace-me-42');
    const upstream = [...proxies.orders.requests, ...proxies.users.requests];
    assert.ok(upstream.length >= 2);
    for (const r of upstream) assert.equal(r.headers['x-request-id'], 'trace-me-42');
  });

  it('generates an x-request-id when the caller sends none', async () => {
    const answer = await get('/v1/users/usr_0001');
    assert.match(answer.headers.get('x-request-id') ?? '', /^[A-Za-z0-9._-]{8,}$/);
  });

  it('sends each upstream a smaller deadline than the caller gave', async () => {
    await get('/v1/users/usr_0001', { 'x-weft-deadline-ms': '2000' });
    const sent = Number(proxies.users.requests[0].headers['x-weft-deadline-ms']);
    assert.ok(sent > 0 && sent < 2000, `upstream deadline ${sent}`);
  });

  it('refuses an unknown include with VALIDATION_FAILED', async () => {
    const answer = await get('/v1/orders?include=secrets');
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'VALIDATION_FAILED');
  });
});
