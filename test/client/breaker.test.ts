import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BreakerState, createServiceClient } from '../../src/client/index.ts';
import { WeftError } from '../../src/errors/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import { codes, json, runMany, sleep, startServer } from './http-fixtures.ts';

test('the breaker opens, fails fast, half-opens and closes after recovery', async () => {
  let failing = true;
  const server = await startServer((_req, res) => json(res, failing ? 503 : 200, {}));
  const states: BreakerState[] = [];
  const openMs = 200;
  const client = createServiceClient({
    service: 'orders',
    registry: createStaticRegistry({ orders: [server.url] }),
    retry: false,
    outlier: false,
    breaker: { minimumRequests: 10, windowMs: 1_000, openMs },
    onEvent: (e) => {
      if (e.type === 'breaker') states.push(e.state);
    },
  });
  try {
    const first = await runMany(20, 1, () => client.get('/'));
    const sent = server.seen.length;
    console.log(`# 20 requests against a failing upstream: ${JSON.stringify(codes(first))}, sent ${sent}`);
    assert.deepEqual(states, ['open']);
    assert.ok(sent >= 10 && sent < 20, `sent ${sent}`);
    const start = performance.now();
    const fastFails = await runMany(50, 5, () => client.get('/'));
    const elapsed = performance.now() - start;
    assert.deepEqual(codes(fastFails), { CIRCUIT_OPEN: 50 });
    assert.equal(server.seen.length, sent, 'nothing is sent while open');
    // Generous for a shared, noisy machine; what proves fail-fast is that nothing was sent.
    assert.ok(elapsed < 500, `50 fast failures took ${elapsed} ms`);
    const error = fastFails[0].status === 'rejected' ? fastFails[0].reason : undefined;
    assert.ok(WeftError.is(error) && error.status === 503 && error.headers?.['retry-after'] !== undefined);

    // Still failing at the first probe: it opens again.
    await sleep(openMs + 20);
    await assert.rejects(client.get('/'), { code: 'UPSTREAM_FAILED' });
    assert.deepEqual(states, ['open', 'half-open', 'open']);

    failing = false;
    const recovered = performance.now();
    let closedAfter = 0;
    while (performance.now() - recovered < 3 * openMs) {
      const ok = await client.get('/').then(
        () => true,
        () => false,
      );
      if (ok) {
        closedAfter = performance.now() - recovered;
        break;
      }
      await sleep(10);
    }
    console.log(`# closed ${closedAfter.toFixed(0)} ms after recovery; states ${states.join(' → ')}`);
    assert.deepEqual(states, ['open', 'half-open', 'open', 'half-open', 'closed']);
    assert.ok(closedAfter > 0 && closedAfter <= 2 * openMs, 'closes within two probe intervals');
    assert.equal(client.stats().breaker, 'closed');
  } finally {
    await client.close();
    await server.close();
  }
});

test('404 answers do not open the breaker', async () => {
  const server = await startServer((_req, res) => json(res, 404, { code: 'NOT_FOUND', detail: 'no' }));
  const states: BreakerState[] = [];
  const client = createServiceClient({
    service: 'orders',
    registry: createStaticRegistry({ orders: [server.url] }),
    breaker: { minimumRequests: 5, windowMs: 1_000 },
    onEvent: (e) => {
      if (e.type === 'breaker') states.push(e.state);
    },
  });
  try {
    const results = await runMany(30, 3, () => client.get('/'));
    assert.deepEqual(codes(results), { NOT_FOUND: 30 });
    assert.deepEqual(states, []);
  } finally {
    await client.close();
    await server.close();
  }
});
