import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClientEvent, createServiceClient, RETRY_LAYER_HEADER } from '../../src/client/index.ts';
import { Deadline, runWithContext } from '../../src/context/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import { codes, json, problem, runMany, startServer } from './http-fixtures.ts';

const fast = { backoffBaseMs: 1, backoffMaxMs: 2 };

test('retries only idempotent requests and retryable outcomes', async () => {
  const server = await startServer((req, res) => {
    if (req.url === '/503') return json(res, 503, {});
    if (req.url === '/500') return problem(res, 500, 'INTERNAL');
    if (req.url === '/404') return problem(res, 404, 'USER_NOT_FOUND');
    if (req.url === '/429') return problem(res, 429, 'RATE_LIMITED', { 'retry-after': '0' });
    return json(res, 200, {});
  });
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [server.url] }),
    retry: fast,
    breaker: false,
    outlier: false,
  });
  const attempts = async (req: Parameters<typeof client.request>[0]) => {
    const before = server.seen.length;
    await client.request(req).catch(() => {});
    return server.seen.length - before;
  };
  try {
    const counts = {
      'GET 503': await attempts({ path: '/503' }),
      'PUT 503': await attempts({ method: 'PUT', path: '/503', body: {} }),
      'DELETE 503': await attempts({ method: 'DELETE', path: '/503' }),
      'POST 503': await attempts({ method: 'POST', path: '/503', body: {} }),
      'POST+key 503': await attempts({ method: 'POST', path: '/503', body: {}, idempotencyKey: 'k1' }),
      'PATCH 503': await attempts({ method: 'PATCH', path: '/503', body: {} }),
      'GET 429 Retry-After 0': await attempts({ path: '/429' }),
      'GET 500': await attempts({ path: '/500' }),
      'GET 404': await attempts({ path: '/404' }),
    };
    console.log(`# attempts ${JSON.stringify(counts)}`);
    assert.deepEqual(counts, {
      'GET 503': 3,
      'PUT 503': 3,
      'DELETE 503': 3,
      'POST 503': 1,
      'POST+key 503': 3,
      'PATCH 503': 1,
      'GET 429 Retry-After 0': 3,
      'GET 500': 1,
      'GET 404': 1,
    });
    assert.equal(server.seen.at(-1)?.headers[RETRY_LAYER_HEADER], '1');
  } finally {
    await client.close();
    await server.close();
  }
});

test('a Retry-After longer than the remaining deadline is not waited for', async () => {
  const server = await startServer((_req, res) => problem(res, 429, 'RATE_LIMITED', { 'retry-after': '5' }));
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [server.url] }),
  });
  try {
    const start = performance.now();
    await assert.rejects(client.get('/', { deadlineMs: 1_000 }), { code: 'RATE_LIMITED', status: 429 });
    assert.ok(performance.now() - start < 200);
    assert.equal(server.seen.length, 1);
  } finally {
    await client.close();
    await server.close();
  }
});

test('a retry goes to another instance', async () => {
  const a = await startServer((_req, res) => json(res, 503, {}));
  const b = await startServer((_req, res) => json(res, 503, {}));
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [a.url, b.url] }),
    retry: { ...fast, maxAttempts: 2 },
    breaker: false,
    outlier: false,
  });
  try {
    // 8 requests: within the budget's initial 10 tokens, so every one may retry.
    await runMany(8, 1, () => client.get('/'));
    // Each request tried both instances once.
    assert.equal(a.seen.length, 8);
    assert.equal(b.seen.length, 8);
  } finally {
    await client.close();
    await a.close();
    await b.close();
  }
});

test('upstream failing 100%: total attempts stay within 1.2 × requests + the budget floor', async () => {
  const servers = await Promise.all([startServer(), startServer()]);
  for (const s of servers) s.handler = (_req, res) => json(res, 503, {});
  let exhausted = 0;
  const client = createServiceClient({
    service: 'orders',
    registry: createStaticRegistry({ orders: servers.map((s) => s.url) }),
    retry: fast,
    breaker: false,
    onEvent: (e: ClientEvent) => {
      if (e.type === 'budget-exhausted') exhausted++;
    },
  });
  try {
    const start = performance.now();
    const requests = 2_000;
    const results = await runMany(requests, 16, () => client.get('/'));
    const seconds = (performance.now() - start) / 1000;
    const attempts = servers[0].seen.length + servers[1].seen.length;
    const bound = 1.2 * requests + 10 * (Math.ceil(seconds) + 1);
    console.log(
      `# ${requests} requests in ${seconds.toFixed(2)} s: ${attempts} attempts (bound ${bound}), budget exhausted ${exhausted}×`,
    );
    assert.deepEqual(codes(results), { UPSTREAM_FAILED: requests });
    assert.ok(attempts <= bound, `${attempts} > ${bound}`);
    assert.ok(attempts > requests, 'some retries were allowed');
    assert.ok(exhausted > 0);
  } finally {
    await client.close();
    await Promise.all(servers.map((s) => s.close()));
  }
});

test('the retry marker stops a second layer from retrying', async () => {
  const server = await startServer((_req, res) => json(res, 503, {}));
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [server.url] }),
    retry: fast,
    breaker: false,
    outlier: false,
  });
  try {
    // Work caused by a request that already carries the marker: an upstream layer retries.
    const context = {
      requestId: 'r1',
      deadline: Deadline.after(1_000),
      signal: new AbortController().signal,
      propagate: { [RETRY_LAYER_HEADER]: '1' },
    };
    await assert.rejects(
      runWithContext(context, () => client.get('/')),
      { code: 'UPSTREAM_FAILED' },
    );
    assert.equal(server.seen.length, 1);
    assert.equal(server.seen[0].headers[RETRY_LAYER_HEADER], '1');
    // Without the marker, the same client retries.
    await assert.rejects(client.get('/'), { code: 'UPSTREAM_FAILED' });
    assert.equal(server.seen.length, 1 + 3);
  } finally {
    await client.close();
    await server.close();
  }
});
