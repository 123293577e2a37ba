import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServiceClient } from '../../src/client/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import { json, runMany, sleep, startServer } from './http-fixtures.ts';

test('P2C prefers the faster instance', async () => {
  const fast = await startServer();
  const slow = await startServer((_req, res) => void setTimeout(() => json(res, 200, { ok: true }), 25));
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [fast.url, slow.url] }),
  });
  try {
    await runMany(300, 4, () => client.get('/'));
    const share = fast.seen.length / (fast.seen.length + slow.seen.length);
    console.log(`# fast ${fast.seen.length}, slow ${slow.seen.length}, fast share ${share.toFixed(2)}`);
    assert.equal(fast.seen.length + slow.seen.length, 300);
    assert.ok(share > 0.8, `fast share ${share}`);
  } finally {
    await client.close();
    await fast.close();
    await slow.close();
  }
});

test('round robin alternates between instances', async () => {
  const a = await startServer();
  const b = await startServer();
  const client = createServiceClient({
    service: 'users',
    balancer: 'round-robin',
    registry: createStaticRegistry({ users: [a.url, b.url] }),
  });
  try {
    for (let i = 0; i < 10; i++) await client.get('/');
    assert.equal(a.seen.length, 5);
    assert.equal(b.seen.length, 5);
  } finally {
    await client.close();
    await a.close();
    await b.close();
  }
});

test('a new instance warms up: it gets a small share at first', async () => {
  const old = await startServer();
  const fresh = await startServer();
  let listener: (instances: readonly { id: string; url: string; service: string }[]) => void = () => {};
  const instances = [{ id: 'users-1', url: old.url, service: 'users' }];
  const registry = {
    instances: () => instances,
    watch: (_s: string, l: typeof listener) => {
      listener = l;
      return () => {};
    },
    register: async () => ({ deregister: async () => {} }),
    close: async () => {},
  };
  const client = createServiceClient({ service: 'users', registry, slowStartMs: 60_000 });
  try {
    await runMany(50, 2, () => client.get('/'));
    listener([...instances, { id: 'users-2', url: fresh.url, service: 'users' }]);
    await sleep(5);
    await runMany(200, 2, () => client.get('/'));
    console.log(`# old ${old.seen.length - 50}, new ${fresh.seen.length} of 200 during warm-up`);
    assert.ok(fresh.seen.length > 0, 'the new instance gets some traffic');
    assert.ok(fresh.seen.length < 60, `the new instance got ${fresh.seen.length} of 200`);
  } finally {
    await client.close();
    await old.close();
    await fresh.close();
  }
});
