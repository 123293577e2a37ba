import assert from 'node:assert/strict';
import { test } from 'node:test';
import { powerOfTwoChoices } from '../../src/client/balancer.ts';
import { Endpoint } from '../../src/client/endpoint.ts';
import { createServiceClient } from '../../src/client/index.ts';
import { resolveOptions } from '../../src/client/options.ts';
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

test('an instance priced out by one slow answer is tried again once its estimate fades', async () => {
  const steady = await startServer();
  const hiccup = await startServer((_req, res, self) => {
    // Its first answer is slow (a GC pause, say), every later one fast.
    if (self.seen.length === 1) setTimeout(() => json(res, 200, { ok: true }), 200);
    else json(res, 200, { ok: true });
  });
  const ewmaDecayMs = 100;
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [steady.url, hiccup.url] }),
    ewmaDecayMs,
  });
  try {
    while (hiccup.seen.length === 0) await client.get('/');
    const slowAt = performance.now();
    // Without decay its 200 ms estimate would stand for ever against the other's ~1 ms, and it
    // would never get the request that could lower it.
    while (hiccup.seen.length === 1 && performance.now() - slowAt < 30 * ewmaDecayMs) await client.get('/');
    const backAfter = performance.now() - slowAt;
    console.log(`# priced out by a 200 ms answer, tried again after ${backAfter.toFixed(0)} ms`);
    assert.equal(hiccup.seen.length, 2, 'the once-slow instance got no second request');
  } finally {
    await client.close();
    await steady.close();
    await hiccup.close();
  }
});

test('P2C prices an instance with attempts outstanding at least at how long it has been silent', async () => {
  const options = resolveOptions({ service: 'users', registry: createStaticRegistry({ users: [] }) });
  const endpoint = (port: number) =>
    new Endpoint({ id: `users-${port}`, service: 'users', url: `http://127.0.0.1:${port}` }, options, true);
  const busy = endpoint(1);
  const silent = endpoint(2);
  try {
    const t0 = performance.now();
    busy.observe(1, options.ewmaDecayMs);
    silent.observe(1, options.ewmaDecayMs);
    // The busy one has 8 attempts out and answers all the time; the silent one has 3 out and has
    // answered nothing for 100 ms.
    for (let i = 0; i < 8; i++) busy.begin(t0);
    for (let i = 0; i < 3; i++) silent.begin(t0 - 100);
    busy.end(t0, true);
    busy.begin(t0);
    const pick = powerOfTwoChoices(0, options.ewmaDecayMs, () => 0);
    // In-flight counts alone would price the silent one cheaper: (1+1)×4 against (1+1)×9.
    assert.equal(pick([busy, silent], t0).id, busy.id);
    assert.equal(pick([silent, busy], t0).id, busy.id);
    // Once it answers again, silence no longer counts against it.
    silent.end(t0, true);
    assert.equal(silent.silenceAt(t0), 0);
    assert.equal(pick([busy, silent], t0).id, silent.id);
  } finally {
    await Promise.all([busy.pool.close(), silent.pool.close()]);
  }
});
