import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import {
  createNatsKvRegistry,
  createStaticRegistry,
  type Instance,
  type Registry,
} from '../../src/registry/index.ts';
import { requireServer, servers } from '../support/servers.ts';

const natsSkip = await requireServer('nats');
let bucketSeq = 0;
const buckets: string[] = [];
const bucket = () => {
  const name = `weft_test_registry_${process.pid}_${Date.now()}_${++bucketSeq}`;
  buckets.push(name);
  return name;
};

// Test buckets are streams on a shared server: remove them.
after(async () => {
  if (natsSkip || buckets.length === 0) return;
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: servers.nats.url });
  const jsm = await jetstreamManager(nc);
  await Promise.allSettled(buckets.map((name) => jsm.streams.delete(`KV_${name}`)));
  await nc.close();
});

/** Polls until `predicate` holds; resolves with the time it took, or rejects after `ms`. */
async function within(ms: number, predicate: () => boolean): Promise<number> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - start;
}

// One contract, every implementation: each gets a registry holding orders-1 at the given URL.
const implementations: { name: string; skip: false | string; make: (url: string) => Promise<Registry> }[] = [
  { name: 'static', skip: false, make: async (url) => createStaticRegistry({ orders: [url] }) },
  {
    name: 'nats-kv',
    skip: natsSkip,
    make: async (url) => {
      const registry = await createNatsKvRegistry({ servers: servers.nats.url, bucket: bucket() });
      await registry.register({ id: 'orders-1', url, service: 'orders' });
      return registry;
    },
  },
];

for (const impl of implementations) {
  describe(`registry contract: ${impl.name}`, { skip: impl.skip }, () => {
    test('lists the instances of a service and none of an unknown one', async () => {
      const registry = await impl.make('http://127.0.0.1:3101/');
      try {
        await within(2_000, () => registry.instances('orders').length === 1);
        const [instance] = registry.instances('orders');
        assert.deepEqual(
          { ...instance },
          { id: 'orders-1', url: 'http://127.0.0.1:3101', service: 'orders' },
        );
        assert.deepEqual(registry.instances('nobody'), []);
      } finally {
        await registry.close();
      }
    });

    test('watch returns an unsubscribe and register returns a handle', async () => {
      const registry = await impl.make('http://127.0.0.1:3101');
      try {
        const unsubscribe = registry.watch('orders', () => {});
        assert.equal(typeof unsubscribe, 'function');
        unsubscribe();
        const handle = await registry.register({
          id: 'orders-9',
          url: 'http://127.0.0.1:3109',
          service: 'orders',
        });
        await handle.deregister();
        await handle.deregister(); // idempotent
      } finally {
        await registry.close();
      }
    });
  });
}

describe('NATS KV registry', { skip: natsSkip }, () => {
  test('a watcher sees a new instance within 2 s and a clean deregister removes it at once', async () => {
    const name = bucket();
    const watcher = await createNatsKvRegistry({ servers: servers.nats.url, bucket: name });
    const announcer = await createNatsKvRegistry({ servers: servers.nats.url, bucket: name });
    const seen: (readonly Instance[])[] = [];
    watcher.watch('orders', (list) => seen.push(list));
    try {
      const handle = await announcer.register({
        id: 'orders-3',
        url: 'http://127.0.0.1:3103',
        service: 'orders',
      });
      const joinMs = await within(2_000, () => watcher.instances('orders').some((i) => i.id === 'orders-3'));
      await handle.deregister();
      const leaveMs = await within(2_000, () => watcher.instances('orders').length === 0);
      console.log(`# joined after ${joinMs.toFixed(0)} ms, left ${leaveMs.toFixed(0)} ms after deregister`);
      assert.ok(leaveMs < 250, `left after ${leaveMs} ms`);
      assert.deepEqual(
        seen.map((list) => list.map((i) => i.id)),
        [['orders-3'], []],
      );
    } finally {
      await announcer.close();
      await watcher.close();
    }
  });

  test('a killed instance disappears within the TTL', async () => {
    const name = bucket();
    const ttlMs = 1_500;
    const watcher = await createNatsKvRegistry({
      servers: servers.nats.url,
      bucket: name,
      ttlMs,
      heartbeatMs: 300,
    });
    const child = spawn(
      process.execPath,
      [
        new URL('./register-instance.ts', import.meta.url).pathname,
        servers.nats.url,
        name,
        String(ttlMs),
        '300',
        'orders-4',
        'http://127.0.0.1:3104',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(child.stdout!, 'data');
      await within(2_000, () => watcher.instances('orders').length === 1);
      // Still there after several heartbeats: the heartbeat keeps it alive past one TTL.
      await new Promise((r) => setTimeout(r, ttlMs + 300));
      assert.equal(watcher.instances('orders').length, 1);
      child.kill('SIGKILL');
      const killedAt = performance.now();
      await within(ttlMs + 1_000, () => watcher.instances('orders').length === 0);
      const goneMs = performance.now() - killedAt;
      console.log(`# killed instance gone after ${goneMs.toFixed(0)} ms (TTL ${ttlMs} ms)`);
      assert.ok(goneMs <= ttlMs + 200, `gone after ${goneMs} ms`);
    } finally {
      child.kill('SIGKILL');
      await watcher.close();
    }
  });

  test('a client follows the registry live', async () => {
    const { createServiceClient } = await import('../../src/client/index.ts');
    const { startServer } = await import('../client/http-fixtures.ts');
    const name = bucket();
    const registry = await createNatsKvRegistry({ servers: servers.nats.url, bucket: name });
    const a = await startServer();
    const b = await startServer();
    const client = createServiceClient({ service: 'orders', registry, slowStartMs: 0 });
    try {
      await registry.register({ id: 'orders-1', url: a.url, service: 'orders' });
      await within(2_000, () => client.stats().instances.length === 1);
      const second = await registry.register({ id: 'orders-2', url: b.url, service: 'orders' });
      await within(2_000, () => client.stats().instances.length === 2);
      for (let i = 0; i < 40; i++) await client.get('/');
      assert.ok(b.seen.length > 0, 'the new instance takes traffic');
      await second.deregister();
      await within(1_000, () => client.stats().instances.length === 1);
      const before = b.seen.length;
      for (let i = 0; i < 20; i++) await client.get('/');
      assert.equal(b.seen.length, before);
    } finally {
      await client.close();
      await registry.close();
      await a.close();
      await b.close();
    }
  });
});
