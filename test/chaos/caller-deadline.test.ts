import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEADLINE_HEADER } from '../../src/context/index.ts';
import { type RecordingProxy, startRecordingProxy } from '../support/recording-proxy.ts';
import { type RunningShop, startShop } from '../support/shop.ts';
import { composedPath, metricSum, scrape, seeded } from './load.ts';

const DEADLINE_MS = 200;
/** How long another process holds the orders database's write lock: well past the deadline. */
const LOCK_HELD_MS = 700;

let shop: RunningShop;
const recorders: Record<string, RecordingProxy> = {};

before(async () => {
  // The gateway reaches one users and one orders instance through recording proxies, which keep
  // the headers each owner receives.
  shop = await startShop({
    instanceEnv: async (urls) => {
      recorders.users = await startRecordingProxy(urls.users[0]);
      recorders.orders = await startRecordingProxy(urls.orders[0]);
      return {
        'gateway-1': { WEFT_UPSTREAM_USERS: recorders.users.url, WEFT_UPSTREAM_ORDERS: recorders.orders.url },
      };
    },
  });
});
after(async () => {
  await shop?.stop();
  await Promise.all(Object.values(recorders).map((r) => r.close()));
});

describe('a 200 ms deadline set by the caller', () => {
  it('reaches each owner as a smaller remaining budget', async () => {
    const random = seeded(11);
    for (const recorder of Object.values(recorders)) recorder.requests.length = 0;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const answer = await fetch(shop.gateway + composedPath(random), {
        headers: { [DEADLINE_HEADER]: String(DEADLINE_MS) },
      });
      await answer.arrayBuffer();
      statuses.push(answer.status);
    }
    const budgets = (name: string, prefix: string) =>
      recorders[name].requests
        .filter((r) => r.url.startsWith(prefix))
        .map((r) => Number(r.headers[DEADLINE_HEADER]));
    const users = budgets('users', '/v1/users?');
    const orders = budgets('orders', '/v1/orders?');
    console.log(
      `# caller ${DEADLINE_MS} ms → users saw ${Math.min(...users)}..${Math.max(...users)} ms (${users.length} calls),` +
        ` orders saw ${Math.min(...orders)}..${Math.max(...orders)} ms (${orders.length} calls); answers ${JSON.stringify(statuses.filter((s) => s !== 200))} not 200`,
    );
    assert.ok(statuses.every((s) => s === 200));
    assert.ok(users.length >= 20 && orders.length >= 20);
    for (const budget of [...users, ...orders]) {
      assert.ok(Number.isInteger(budget) && budget > 0 && budget < DEADLINE_MS, `an owner saw ${budget} ms`);
    }
  });

  /** What the slow-owner scenario measured, for the two behaviours below. */
  let slowOwner:
    | {
        status: number;
        code: string;
        latencyMs: number;
        answered504: number;
        commitsSince: number;
        version: [number, number];
        orderStatus: [string, string];
        readBeforeRelease: boolean;
        readLatencyMs: number;
      }
    | undefined;

  it('stops the work on a slow owner at the deadline: nothing is committed after it', async () => {
    const ordersUrl = shop.urls.orders[1];
    const orderId = 'ord_00042';
    const before = (await (await fetch(`${ordersUrl}/v1/orders/${orderId}`)).json()) as {
      version: number;
      status: string;
    };
    // Another process (this test) holds the write lock of the orders database, as a long
    // transaction of another instance would: the owner's write waits for it, past the deadline.
    const db = new DatabaseSync(join(shop.dataDir, 'orders.db'));
    const dataVersion = () =>
      Number((db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version);
    const metricsBefore = await scrape(ordersUrl);
    db.exec('BEGIN IMMEDIATE');
    const lockedAt = performance.now();
    const changesBefore = dataVersion();
    const sent = performance.now();
    const answer = await fetch(`${ordersUrl}/v1/orders/${orderId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', [DEADLINE_HEADER]: String(DEADLINE_MS) },
      body: JSON.stringify({
        status: before.status === 'REJECTED' ? 'CONFIRMED' : 'REJECTED',
        reason: 'chaos',
      }),
    });
    const latencyMs = performance.now() - sent;
    const problem = (await answer.json()) as { code: string };
    // The deadline has passed: a plain read on the same instance should not wait for the lock
    // on behalf of a request nobody waits for any more.
    let released = false;
    const readSent = performance.now();
    const read = fetch(`${ordersUrl}/v1/orders/ord_00001`, { headers: { [DEADLINE_HEADER]: '5000' } }).then(
      async (r) => {
        await r.arrayBuffer();
        return { status: r.status, beforeRelease: !released, ms: performance.now() - readSent };
      },
    );
    await sleep(Math.max(0, LOCK_HELD_MS - (performance.now() - lockedAt)));
    db.exec('ROLLBACK');
    released = true;
    const readResult = await read;
    // Give the owner's abandoned write every chance to run once the lock is free.
    await sleep(500);
    const changesAfter = dataVersion();
    const row = db.prepare('select version, status from orders where id = ?').get(orderId) as {
      version: number;
      status: string;
    };
    db.close();
    const metricsAfter = await scrape(ordersUrl);
    const patch504 = (text: string) =>
      metricSum(text, 'http_requests_total', {
        method: 'PATCH',
        route: '/v1/orders/:orderId',
        status: '504',
      });
    slowOwner = {
      status: answer.status,
      code: problem.code,
      latencyMs,
      answered504: patch504(metricsAfter) - patch504(metricsBefore),
      commitsSince: changesAfter - changesBefore,
      version: [before.version, row.version],
      orderStatus: [before.status, row.status],
      readBeforeRelease: readResult.beforeRelease,
      readLatencyMs: readResult.ms,
    };
    console.log(
      `# PATCH with ${DEADLINE_MS} ms while another process held the write lock ${LOCK_HELD_MS} ms: ${answer.status} ${problem.code}` +
        ` after ${latencyMs.toFixed(0)} ms; owner counted ${slowOwner.answered504} PATCH 504; commits since (data_version)` +
        ` ${slowOwner.commitsSince}; order version ${before.version} → ${row.version}, status ${before.status} → ${row.status};` +
        ` a read sent after the deadline answered ${readResult.status} after ${readResult.ms.toFixed(0)} ms,` +
        ` ${readResult.beforeRelease ? 'before' : 'only after'} the lock was released`,
    );
    assert.equal(answer.status, 504);
    assert.equal(problem.code, 'DEADLINE_EXCEEDED');
    assert.equal(slowOwner.answered504, 1, 'the owner itself answered 504 at its deadline');
    assert.equal(changesAfter, changesBefore, 'something was committed after the deadline');
    assert.equal(row.version, before.version);
    assert.equal(row.status, before.status);
    assert.equal(readResult.status, 200);
  });

  it('leaves nothing of the expired request running on the owner: its wait for the lock ends at the deadline', () => {
    assert.ok(slowOwner !== undefined);
    assert.ok(
      slowOwner.readBeforeRelease,
      `a read waited ${slowOwner.readLatencyMs.toFixed(0)} ms behind the expired write`,
    );
  });
});
