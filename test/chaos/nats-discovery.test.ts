import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DEFAULT_REGISTRY_TTL_MS } from '../../src/registry/nats-kv-registry.ts';
import { freePort } from '../support/ports.ts';
import { requireServer, servers } from '../support/servers.ts';
import { type RunningShop, startShop } from '../support/shop.ts';
import { composedPath, metricSum, type Outcome, runFixedRate, scrape, seeded } from './load.ts';

const skip = await requireServer('nats');
const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
/** One bucket per run, so parallel runs and earlier runs' leftovers never meet. */
const bucket = `weft_chaos_${process.pid}_${Date.now()}`;
const RATE = 100;
const DEADLINE_MS = 1_000;
const TAKES_TRAFFIC_WITHIN_MS = 2_000;

let shop: RunningShop;

describe('the NATS KV registry under a running shop', { skip }, () => {
  before(async () => {
    shop = await startShop({
      env: { WEFT_REGISTRY: 'nats', WEFT_NATS_URL: servers.nats.url, WEFT_REGISTRY_BUCKET: bucket },
    });
  });
  after(async () => {
    await shop?.stop();
    await deleteBucket();
  });

  it('a third orders instance started by hand takes traffic within 2 s, leaves at once on SIGTERM and within the TTL on SIGKILL', {
    timeout: 120_000,
  }, async () => {
    const random = seeded(5);
    const outcomes: Outcome[] = [];
    let loading = true;
    // Steady composed traffic all along, in one-second runs so it can end when the test does.
    const load = (async () => {
      while (loading) {
        outcomes.push(
          ...(await runFixedRate({
            url: shop.gateway,
            rate: RATE,
            durationMs: 1_000,
            deadlineMs: DEADLINE_MS,
            path: () => composedPath(random),
          })),
        );
      }
    })();
    try {
      // Started by hand: listens, announces itself in the bucket; the gateway watches the bucket.
      const first = await startOrders3();
      const readyAt = await waitFor(() => ready(first.url), 30_000);
      const known = await waitFor(async () => (await gatewayKnows()) === true, 5_000);
      const served = await waitFor(async () => (await servedBy(first.url)) > 0, 10_000);
      const takesTrafficMs = served - readyAt;

      // Stopped cleanly: it deregisters before draining.
      const firstExit = once(first.child, 'exit') as Promise<[number | null]>;
      const termAt = performance.now();
      first.child.kill('SIGTERM');
      const leftOnTermAt = await waitFor(async () => (await gatewayKnows()) === false, 10_000);
      const [termCode] = await firstExit;

      // Again, then killed: no deregistration; the entry expires.
      const second = await startOrders3();
      await waitFor(() => ready(second.url), 30_000);
      await waitFor(async () => (await gatewayKnows()) === true, 5_000);
      await waitFor(async () => (await servedBy(second.url)) > 0, 10_000);
      // The entry expires one TTL after the last heartbeat, which is before the kill whenever the
      // kill comes. Killing half a second after a heartbeat keeps the 50 ms polling below from
      // blurring that bound; the registry's expiry does not depend on it.
      const heartbeatAt = await nextHeartbeat();
      await sleep(Math.max(0, heartbeatAt + 500 - performance.now()));
      const secondExit = once(second.child, 'exit');
      const killAt = performance.now();
      second.child.kill('SIGKILL');
      await secondExit;
      const leftOnKillAt = await waitFor(
        async () => (await gatewayKnows()) === false,
        DEFAULT_REGISTRY_TTL_MS + 10_000,
        50,
      );
      loading = false;
      await load;
      const failed = outcomes.filter((o) => o.status !== 200);
      console.log(
        `# orders-3: in the gateway's set ${(known - readyAt).toFixed(0)} ms after ready, served its first batch` +
          ` ${takesTrafficMs.toFixed(0)} ms after ready; SIGTERM: left the set after ${(leftOnTermAt - termAt).toFixed(0)} ms` +
          ` (exit ${termCode}); SIGKILL: left after ${(leftOnKillAt - killAt).toFixed(0)} ms,` +
          ` ${(leftOnKillAt - heartbeatAt).toFixed(0)} ms after its last heartbeat (TTL ${DEFAULT_REGISTRY_TTL_MS} ms);` +
          ` composed requests ${outcomes.length}, failed ${failed.length}`,
      );
      assert.ok(
        takesTrafficMs <= TAKES_TRAFFIC_WITHIN_MS,
        `took traffic ${takesTrafficMs.toFixed(0)} ms after it was ready`,
      );
      assert.equal(termCode, 0);
      // "At once": the delete reaches the gateway's watcher as it happens; the bound only covers
      // the drain start and the scrape interval on a busy machine, far below the TTL.
      assert.ok(leftOnTermAt - termAt < 1_000, `left ${(leftOnTermAt - termAt).toFixed(0)} ms after SIGTERM`);
      assert.ok(
        leftOnKillAt - killAt <= DEFAULT_REGISTRY_TTL_MS,
        `left ${(leftOnKillAt - killAt).toFixed(0)} ms after SIGKILL, TTL ${DEFAULT_REGISTRY_TTL_MS} ms`,
      );
    } finally {
      loading = false;
      await load;
    }
  });
});

const children = new Set<ChildProcess>();
after(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts orders-3 by hand, as an operator would, on the shop's data directory and bucket. */
async function startOrders3(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['examples/shop/orders/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      WEFT_INSTANCE: 'orders-3',
      WEFT_DATA_DIR: shop.dataDir,
      WEFT_REGISTRY: 'nats',
      WEFT_NATS_URL: servers.nats.url,
      WEFT_REGISTRY_BUCKET: bucket,
      WEFT_SEED: '1',
      WEFT_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  return { child, url: `http://127.0.0.1:${port}` };
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

/** Whether the gateway's client of orders has orders-3 in its instance set (its per-instance gauge). */
async function gatewayKnows(): Promise<boolean> {
  return /weft_client_in_flight\{[^}]*instance="orders-3"/.test(await scrape(shop.gateway));
}

/** Batch reads of orders an instance has answered, from its own /metrics. */
async function servedBy(url: string): Promise<number> {
  try {
    return metricSum(await scrape(url), 'http_requests_total', { route: '/v1/orders' });
  } catch {
    return 0;
  }
}

/** Polls until `check` answers true; resolves with performance.now() of that moment. */
async function waitFor(check: () => Promise<boolean>, withinMs: number, everyMs = 25): Promise<number> {
  const giveUp = performance.now() + withinMs;
  while (performance.now() < giveUp) {
    if (await check()) return performance.now();
    await sleep(everyMs);
  }
  throw new Error(`not within ${withinMs} ms: ${check.toString()}`);
}

/** performance.now() when orders-3's next heartbeat (a put of its key) reaches this process. */
async function nextHeartbeat(): Promise<number> {
  const [{ connect }, { Kvm }] = await Promise.all([
    import('@nats-io/transport-node'),
    import('@nats-io/kv'),
  ]);
  const nc = await connect({ servers: servers.nats.url });
  try {
    const kv = await new Kvm(nc).open(bucket);
    const watcher = await kv.watch({ key: 'orders.orders-3', include: 'updates' });
    // Heartbeats come every third of the TTL; two of those without one is a failure.
    const giveUp = setTimeout(() => watcher.stop(), (2 * DEFAULT_REGISTRY_TTL_MS) / 3);
    for await (const entry of watcher) {
      if (entry.operation === 'PUT') {
        clearTimeout(giveUp);
        watcher.stop();
        return performance.now();
      }
    }
    throw new Error('the watch ended without a heartbeat');
  } finally {
    await nc.close();
  }
}

async function deleteBucket(): Promise<void> {
  const [{ connect }, { Kvm }] = await Promise.all([
    import('@nats-io/transport-node'),
    import('@nats-io/kv'),
  ]);
  const nc = await connect({ servers: servers.nats.url });
  try {
    const kv = await new Kvm(nc).open(bucket);
    await kv.destroy();
  } catch (error) {
    // No bucket: the shop never got as far as announcing an instance; nothing to clean up.
    if (!/not found/i.test(String(error))) throw error;
  } finally {
    await nc.close();
  }
}
