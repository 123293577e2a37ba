import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClientEvent, createServiceClient } from '../../src/client/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { quantile, runMany, sleep, startServer } from './http-fixtures.ts';

test('ejects an instance after 5 consecutive 5xx and takes it back after the period', async () => {
  const good = await startServer();
  const bad = await startServer();
  const proxy = await startFaultProxy(bad.url);
  proxy.setMode({ kind: 'http5xx', status: 503 });
  const events: ClientEvent[] = [];
  const client = createServiceClient({
    service: 'users',
    balancer: 'round-robin',
    registry: createStaticRegistry({ users: [good.url, proxy.url] }),
    retry: false,
    breaker: false,
    outlier: { baseEjectionMs: 300 },
    onEvent: (e) => events.push(e),
  });
  try {
    const results = await runMany(40, 1, () => client.get('/'));
    const failed = results.filter((r) => r.status === 'rejected').length;
    console.log(`# 40 requests: ${failed} failed, bad instance saw ${proxy.requests}`);
    assert.equal(proxy.requests, 5, 'the bad instance gets exactly 5 attempts');
    assert.equal(failed, 5);
    assert.deepEqual(
      events
        .filter((e) => e.type === 'ejected')
        .map((e) => e.type === 'ejected' && [e.instance, e.durationMs]),
      [['users-2', 300]],
    );
    proxy.setMode({ kind: 'pass' });
    await sleep(350);
    await runMany(40, 1, () => client.get('/'));
    console.log(`# after the period: recovered instance saw ${bad.seen.length} of 40`);
    assert.ok(events.some((e) => e.type === 'returned' && e.instance === 'users-2'));
    assert.ok(bad.seen.length >= 10, `returned instance got ${bad.seen.length}`);
  } finally {
    await client.close();
    await proxy.close();
    await good.close();
    await bad.close();
  }
});

test('never ejects more than half of the instances', async () => {
  const servers = await Promise.all([startServer(), startServer(), startServer(), startServer()]);
  const proxies = await Promise.all(servers.map((s) => startFaultProxy(s.url)));
  for (const p of proxies) p.setMode({ kind: 'reset' });
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: proxies.map((p) => p.url) }),
    retry: false,
    breaker: false,
  });
  try {
    const results = await runMany(100, 2, () => client.get('/'));
    const ejected = client.stats().instances.filter((i) => i.ejected).length;
    console.log(`# 4 instances resetting, 100 requests: ${ejected} ejected`);
    assert.ok(
      results.every(
        (r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'UPSTREAM_UNAVAILABLE',
      ),
    );
    assert.equal(ejected, 2);
  } finally {
    await client.close();
    await Promise.all(proxies.map((p) => p.close()));
    await Promise.all(servers.map((s) => s.close()));
  }
});

test('a blackholed instance is ejected within 5 failed attempts and p99 stays under the deadline', async () => {
  const good = await startServer();
  const hole = await startServer();
  const proxy = await startFaultProxy(hole.url);
  proxy.setMode({ kind: 'blackhole' });
  const timeouts: string[] = [];
  const client = createServiceClient({
    service: 'users',
    // Round robin keeps sending it its share until ejected (P2C would mostly avoid it anyway).
    balancer: 'round-robin',
    registry: createStaticRegistry({ users: [good.url, proxy.url] }),
    attemptTimeoutMs: 100,
    onEvent: (e) => {
      if (e.type === 'attempt' && e.kind === 'timeout') timeouts.push(e.instance);
    },
  });
  try {
    const durations: number[] = [];
    const results = await runMany(200, 4, async () => {
      const start = performance.now();
      try {
        return await client.get('/', { deadlineMs: 500 });
      } finally {
        durations.push(performance.now() - start);
      }
    });
    const failed = results.filter((r) => r.status === 'rejected').length;
    const p99 = quantile(durations, 0.99);
    console.log(
      `# 200 requests: ${failed} failed, ${timeouts.length} timed-out attempts, p99 ${p99.toFixed(0)} ms`,
    );
    assert.equal(failed, 0);
    // Up to 4 attempts were in flight to it when the fifth timeout ejected it.
    assert.ok(timeouts.length >= 5 && timeouts.length <= 5 + 3, `${timeouts.length} timeouts`);
    assert.ok(timeouts.every((id) => id === 'users-2'));
    assert.ok(p99 < 500, `p99 ${p99}`);
    assert.equal(client.stats().instances.find((i) => i.id === 'users-2')?.ejected, true);
  } finally {
    await client.close();
    await proxy.close();
    await good.close();
    await hole.close();
  }
});

test('active health checks take a not-ready instance out of rotation', async () => {
  const ready = await startServer();
  const notReady = await startServer((req, res) => {
    res.writeHead(req.url === '/readyz' ? 503 : 200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [ready.url, notReady.url] }),
    healthCheck: { intervalMs: 20 },
  });
  try {
    await sleep(80);
    await runMany(20, 1, () => client.get('/v1/x'));
    const hits = notReady.seen.filter((r) => r.url !== '/readyz').length;
    assert.equal(hits, 0);
    assert.equal(client.stats().instances[1].healthy, false);
  } finally {
    await client.close();
    await ready.close();
    await notReady.close();
  }
});
