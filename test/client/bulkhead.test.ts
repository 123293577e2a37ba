import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServiceClient } from '../../src/client/index.ts';
import { WeftError } from '../../src/errors/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import { json, startServer } from './http-fixtures.ts';

test('bulkhead overflow fails fast with BULKHEAD_FULL and Retry-After', async () => {
  const server = await startServer((_req, res) => void setTimeout(() => json(res, 200, {}), 600));
  const client = createServiceClient({
    service: 'orders',
    registry: createStaticRegistry({ orders: [server.url] }),
    bulkhead: { maxConcurrent: 2, maxQueue: 1 },
  });
  try {
    const started = performance.now();
    const settled: { ok: boolean; code?: string; ms: number; retryAfter?: string }[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () =>
        client.get('/').then(
          () => void settled.push({ ok: true, ms: performance.now() - started }),
          (e: WeftError) =>
            void settled.push({
              ok: false,
              code: e.code,
              ms: performance.now() - started,
              retryAfter: e.headers?.['retry-after'],
            }),
        ),
      ),
    );
    const rejected = settled.filter((s) => !s.ok);
    console.log(
      `# 6 concurrent calls, 2 slots + 1 queued: ${settled.length - rejected.length} ok, ${rejected.length} rejected`,
    );
    assert.equal(rejected.length, 3);
    for (const r of rejected) {
      assert.equal(r.code, 'BULKHEAD_FULL');
      assert.equal(r.retryAfter, '1');
      // Far sooner than the 600 ms an admitted call waits, with room for a noisy machine.
      assert.ok(r.ms < 300, `rejected after ${r.ms} ms`);
    }
    assert.equal(server.seen.length, 3);
  } finally {
    await client.close();
    await server.close();
  }
});

test('a queued call whose deadline passes leaves the queue at once', async () => {
  const server = await startServer((_req, res) => void setTimeout(() => json(res, 200, {}), 200));
  const client = createServiceClient({
    service: 'orders',
    registry: createStaticRegistry({ orders: [server.url] }),
    bulkhead: { maxConcurrent: 1, maxQueue: 1 },
  });
  try {
    const busy = client.get('/');
    const start = performance.now();
    const error = await client.get('/', { deadlineMs: 50 }).catch((e: unknown) => e);
    assert.ok(WeftError.is(error));
    assert.equal(error.code, 'DEADLINE_EXCEEDED');
    assert.ok(performance.now() - start < 120);
    assert.equal(client.stats().bulkhead.queued, 0);
    await busy;
    assert.equal(server.seen.length, 1);
  } finally {
    await client.close();
    await server.close();
  }
});
