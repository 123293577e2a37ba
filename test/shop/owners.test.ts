import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type InProcessShop, startInProcessShop } from '../support/in-process-shop.ts';

let shop: InProcessShop;
before(async () => {
  shop = await startInProcessShop();
});
after(() => shop?.stop());

async function call(url: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const response = await fetch(url, { ...init, headers, body });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    type,
    body: text && type.includes('json') ? JSON.parse(text) : text,
  };
}

describe('users owner', () => {
  it('reads a seeded user with an ETag, and answers 304 to If-None-Match', async () => {
    const first = await call(`${shop.urls.users}/v1/users/usr_0001`);
    assert.equal(first.status, 200);
    assert.equal(first.body.id, 'usr_0001');
    assert.equal(first.body.email, 'user1@example.com');
    const tag = first.headers.get('etag');
    assert.ok(tag);
    const again = await call(`${shop.urls.users}/v1/users/usr_0001`, { headers: { 'if-none-match': tag } });
    assert.equal(again.status, 304);
  });

  it('answers USER_NOT_FOUND as problem+json', async () => {
    const answer = await call(`${shop.urls.users}/v1/users/usr_9999`);
    assert.equal(answer.status, 404);
    assert.match(answer.type, /application\/problem\+json/);
    assert.equal(answer.body.code, 'USER_NOT_FOUND');
  });

  it('batch-reads users as { items, missing }, in the order asked', async () => {
    const answer = await call(`${shop.urls.users}/v1/users?ids=usr_0003,usr_9999,usr_0001`);
    assert.equal(answer.status, 200);
    assert.deepEqual(
      answer.body.items.map((u: { id: string }) => u.id),
      ['usr_0003', 'usr_0001'],
    );
    assert.deepEqual(answer.body.missing, ['usr_9999']);
  });

  it('refuses a batch of more than 100 ids with BATCH_TOO_LARGE', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `usr_${String(i + 1).padStart(4, '0')}`).join(',');
    const answer = await call(`${shop.urls.users}/v1/users?ids=${ids}`);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'BATCH_TOO_LARGE');
  });

  it('pages through users with a cursor, each user once', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const answer = await call(`${shop.urls.users}/v1/users?limit=100${query}`);
      assert.equal(answer.status, 200);
      for (const user of answer.body.items) seen.add(user.id);
      cursor = answer.body.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 10);
    assert.equal(seen.size, 1000);
  });

  it('answers BAD_CURSOR to a forged cursor', async () => {
    const answer = await call(`${shop.urls.users}/v1/users?cursor=not-a-cursor`);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'BAD_CURSOR');
  });

  it('creates, patches with If-Match, refuses a stale version with 412, and deletes', async () => {
    const created = await call(`${shop.urls.users}/v1/users`, {
      method: 'POST',
      json: { email: 'grace@example.com', name: 'Grace Brewster Hopper' },
    });
    assert.equal(created.status, 201);
    const id = created.body.id;
    assert.equal(created.headers.get('location'), `/v1/users/${id}`);
    const tag = created.headers.get('etag')!;

    const patched = await call(`${shop.urls.users}/v1/users/${id}`, {
      method: 'PATCH',
      headers: { 'if-match': tag },
      json: { name: 'Grace Hopper' },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.version, 2);

    const stale = await call(`${shop.urls.users}/v1/users/${id}`, {
      method: 'PATCH',
      headers: { 'if-match': tag },
      json: { name: 'Lost Update' },
    });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.code, 'VERSION_MISMATCH');

    const v2 = await call(`${shop.urls.users}/v2/users/${id}`);
    assert.deepEqual(v2.body.name, { given: 'Grace', family: 'Hopper' });

    const removed = await call(`${shop.urls.users}/v1/users/${id}`, { method: 'DELETE' });
    assert.equal(removed.status, 204);
    const gone = await call(`${shop.urls.users}/v1/users/${id}`);
    assert.equal(gone.status, 404);
  });

  it('refuses a second user with the same email with EMAIL_TAKEN', async () => {
    const answer = await call(`${shop.urls.users}/v1/users`, {
      method: 'POST',
      json: { email: 'user1@example.com', name: 'Copy Cat' },
    });
    assert.equal(answer.status, 409);
    assert.equal(answer.body.code, 'EMAIL_TAKEN');
  });

  it('refuses unknown body fields (no mass assignment)', async () => {
    const answer = await call(`${shop.urls.users}/v1/users`, {
      method: 'POST',
      json: { email: 'x@example.com', name: 'X Y', version: 99, isAdmin: true },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'VALIDATION_FAILED');
  });

  it('marks v1 deprecated with Deprecation, Sunset and Link, and v2 not', async () => {
    const v1 = await call(`${shop.urls.users}/v1/users/usr_0001`);
    assert.ok(v1.headers.get('deprecation'));
    assert.ok(v1.headers.get('sunset'));
    assert.equal(v1.headers.get('link'), '</docs>; rel="deprecation"');
    const v2 = await call(`${shop.urls.users}/v2/users/usr_0001`);
    assert.equal(v2.headers.get('deprecation'), null);
  });
});

describe('orders owner', () => {
  it("lists a user's orders newest first, paging with a cursor", async () => {
    const first = await call(`${shop.urls.orders}/v1/orders?userId=usr_0002&limit=15`);
    assert.equal(first.status, 200);
    assert.equal(first.body.items.length, 15);
    assert.equal(first.body.items[0].id, 'ord_00040');
    assert.ok(first.body.items.every((o: { userId: string }) => o.userId === 'usr_0002'));
    const second = await call(
      `${shop.urls.orders}/v1/orders?userId=usr_0002&limit=15&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    assert.equal(second.body.items.length, 5);
    assert.equal(second.body.items.at(-1).id, 'ord_00021');
    assert.equal(second.body.nextCursor, null);
  });

  it("answers several users' first pages in one call, each continuing with its cursor", async () => {
    const answer = await call(
      `${shop.urls.orders}/v1/order-pages?userIds=usr_0002,usr_0003,usr_9999&limit=15`,
    );
    assert.equal(answer.status, 200);
    assert.deepEqual(
      answer.body.pages.map((p: { userId: string; items: unknown[] }) => [p.userId, p.items.length]),
      [
        ['usr_0002', 15],
        ['usr_0003', 15],
        ['usr_9999', 0],
      ],
    );
    const [first] = answer.body.pages;
    assert.equal(first.items[0].id, 'ord_00040');
    const rest = await call(
      `${shop.urls.orders}/v1/orders?userId=usr_0002&limit=15&cursor=${encodeURIComponent(first.nextCursor)}`,
    );
    assert.equal(rest.body.items.length, 5);
    assert.equal(answer.body.pages[2].nextCursor, null);
  });

  it('creates an order as PENDING with its total, and moves it to CONFIRMED', async () => {
    const created = await call(`${shop.urls.orders}/v1/orders`, {
      method: 'POST',
      json: { userId: 'usr_0001', items: [{ productId: 'prd_001', quantity: 2, priceCents: 150 }] },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'PENDING');
    assert.equal(created.body.totalCents, 300);
    const confirmed = await call(`${shop.urls.orders}/v1/orders/${created.body.id}`, {
      method: 'PATCH',
      json: { status: 'CONFIRMED' },
    });
    assert.equal(confirmed.body.status, 'CONFIRMED');
  });

  it('answers ORDER_NOT_FOUND for a missing order', async () => {
    const answer = await call(`${shop.urls.orders}/v1/orders/ord_99999`);
    assert.equal(answer.body.code, 'ORDER_NOT_FOUND');
  });
});

describe('inventory owner', () => {
  it('batch-reads products and updates stock with If-Match', async () => {
    const batch = await call(`${shop.urls.inventory}/v1/products?ids=prd_001,prd_200,prd_999`);
    assert.equal(batch.body.items.length, 2);
    assert.deepEqual(batch.body.missing, ['prd_999']);
    const one = await call(`${shop.urls.inventory}/v1/products/prd_001`);
    const patched = await call(`${shop.urls.inventory}/v1/products/prd_001`, {
      method: 'PATCH',
      headers: { 'if-match': one.headers.get('etag')! },
      json: { stock: 5 },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.stock, 5);
  });

  it('answers PRODUCT_NOT_FOUND for a missing product', async () => {
    const answer = await call(`${shop.urls.inventory}/v1/products/prd_999`);
    assert.equal(answer.status, 404);
    assert.equal(answer.body.code, 'PRODUCT_NOT_FOUND');
  });
});
