import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServiceClient } from '../../src/client/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import { json, quantile, runMany, startServer } from './http-fixtures.ts';

test('hedging sends at most 10% extra', async () => {
  // Every 8th answer is slow (80 ms), the rest take about 2 ms.
  let n = 0;
  const handler = (_req: unknown, res: Parameters<typeof json>[0]) => {
    const slow = ++n % 8 === 0;
    setTimeout(() => json(res, 200, {}), slow ? 80 : 2);
  };
  const a = await startServer(handler);
  const b = await startServer(handler);
  let hedges = 0;
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [a.url, b.url] }),
    onEvent: (e) => {
      if (e.type === 'hedge') hedges++;
    },
  });
  try {
    const requests = 400;
    const durations: number[] = [];
    await runMany(requests, 4, async () => {
      const start = performance.now();
      await client.get('/', { hedge: true });
      durations.push(performance.now() - start);
    });
    const attempts = a.seen.length + b.seen.length;
    const p99 = quantile(durations, 0.99);
    console.log(
      `# ${requests} hedged reads: ${attempts} attempts, ${hedges} hedges, p99 ${p99.toFixed(0)} ms`,
    );
    // A hedge cancelled before it was written never reaches a server, hence ≤.
    assert.ok(attempts <= requests + hedges, `${attempts} attempts`);
    assert.ok(attempts - requests <= 0.1 * requests, `${attempts - requests} extra attempts`);
    assert.ok(hedges > 0, 'some reads were hedged');
    assert.ok(hedges <= 0.1 * requests, `${hedges} hedges for ${requests} requests`);
  } finally {
    await client.close();
    await a.close();
    await b.close();
  }
});

test('a POST is never hedged', async () => {
  const a = await startServer();
  const b = await startServer();
  let hedges = 0;
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [a.url, b.url] }),
    onEvent: (e) => {
      if (e.type === 'hedge') hedges++;
    },
  });
  try {
    await runMany(100, 4, () =>
      client.request({ method: 'POST', path: '/', body: {}, hedge: true, idempotencyKey: 'k' }),
    );
    assert.equal(hedges, 0);
    assert.equal(a.seen.length + b.seen.length, 100);
  } finally {
    await client.close();
    await a.close();
    await b.close();
  }
});
