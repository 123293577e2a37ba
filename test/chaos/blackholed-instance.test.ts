import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type RunningShop, startShop } from '../support/shop.ts';
import { composedPath, metricSum, quantile, runFixedRate, scrape, seeded } from './load.ts';

const RATE = 100;
const DEADLINE_MS = 1_000;
const BLACKHOLE_AT_MS = 2_000;
const RECOVER_AT_MS = 7_000;
const RUN_MS = 10_000;
/** Should traffic not be back by the end of the run, keep a light load going this long at most. */
const RETURN_WITHIN_MS = 40_000;

let shop: RunningShop;
let proxy: FaultProxy;

before(async () => {
  // The gateway reaches users-2 through a fault proxy; everything else is direct.
  shop = await startShop({
    instanceEnv: async (urls) => {
      proxy = await startFaultProxy(urls.users[1]);
      return { 'gateway-1': { WEFT_UPSTREAM_USERS: `${urls.users[0]},${proxy.url}` } };
    },
  });
});
after(async () => {
  await shop?.stop();
  await proxy?.close();
});

interface Snapshot {
  /** ms since the run began. */
  readonly at: number;
  /** Failed attempts of requests to users-2, as the gateway counts them (health checks and abandoned hedges not included). */
  readonly failures: number;
  /** Out of rotation: ejected by passive outlier detection or failing its active health check. */
  readonly out: boolean;
  readonly ejected: boolean;
  /** Batch reads users-2 has answered, from its own /metrics (health probes are another route). */
  readonly served: number;
}

describe('a users instance that accepts connections and never answers', () => {
  it('leaves the rotation within 5 failed attempts, the composed p99 stays under the deadline, and it gets traffic again once it answers', async () => {
    const random = seeded(7);
    const labels = { upstream: 'users', instance: 'users-2' };
    const snapshots: Snapshot[] = [];
    let polling = true;
    const started = performance.now();
    const poll = (async () => {
      while (polling) {
        const [gateway, users2] = await Promise.all([scrape(shop.gateway), scrape(shop.urls.users[1])]);
        const ejected = metricSum(gateway, 'weft_client_ejected', labels) > 0;
        snapshots.push({
          at: performance.now() - started,
          // A hedge abandoned because the other attempt answered first is no failure of the instance.
          failures:
            metricSum(gateway, 'weft_client_failures_total', labels) -
            metricSum(gateway, 'weft_client_failures_total', { ...labels, kind: 'cancelled' }),
          ejected,
          out: ejected || metricSum(gateway, 'weft_client_unhealthy', labels) > 0,
          served: metricSum(users2, 'http_requests_total', { route: '/v1/users' }),
        });
        await sleep(50);
      }
    })();
    let blackholedAt = 0;
    let recoveredAt = 0;
    const outcomes = await runFixedRate({
      url: shop.gateway,
      rate: RATE,
      durationMs: RUN_MS,
      deadlineMs: DEADLINE_MS,
      path: () => composedPath(random),
      onTick: (elapsed) => {
        if (elapsed >= BLACKHOLE_AT_MS && blackholedAt === 0) {
          blackholedAt = performance.now() - started;
          proxy.setMode({ kind: 'blackhole' });
        } else if (elapsed >= RECOVER_AT_MS && recoveredAt === 0) {
          recoveredAt = performance.now() - started;
          proxy.setMode({ kind: 'pass' });
        }
      },
    });
    // Traffic not back yet (a longer ejection): keep a light load going, for a bounded time.
    const servedAtRecovery = () => snapshots.findLast((s) => s.at <= recoveredAt)?.served ?? 0;
    const back = () => snapshots.find((s) => s.at > recoveredAt && s.served > servedAtRecovery());
    const lightRandom = seeded(8);
    while (back() === undefined && performance.now() - started < RECOVER_AT_MS + RETURN_WITHIN_MS) {
      await runFixedRate({
        url: shop.gateway,
        rate: 20,
        durationMs: 1_000,
        deadlineMs: DEADLINE_MS,
        path: () => composedPath(lightRandom),
      });
    }
    polling = false;
    await poll;

    const latencies = outcomes.map((o) => o.latencyMs);
    const failed = outcomes.filter((o) => o.status !== 200);
    const p99 = quantile(latencies, 0.99);
    const firstOut = snapshots.find((s) => s.at > blackholedAt && s.out);
    const servedBeforeFault = snapshots.findLast((s) => s.at <= blackholedAt)?.served ?? 0;
    const returned = back();
    console.log(
      `# requests=${outcomes.length} failed=${failed.length} p50=${quantile(latencies, 0.5).toFixed(1)}ms` +
        ` p99=${p99.toFixed(1)}ms max=${Math.max(...latencies).toFixed(1)}ms deadline=${DEADLINE_MS}ms` +
        ` users2_served_before_fault=${servedBeforeFault}` +
        ` out_of_rotation_after=${firstOut === undefined ? 'never' : `${(firstOut.at - blackholedAt).toFixed(0)}ms`}` +
        ` failed_attempts_when_out=${firstOut?.failures} failed_attempts_total=${snapshots.at(-1)?.failures}` +
        ` passively_ejected=${snapshots.some((s) => s.ejected)}` +
        ` traffic_back_after=${returned === undefined ? 'never' : `${(returned.at - recoveredAt).toFixed(0)}ms`}` +
        ` users2_served_since_recovery=${(snapshots.at(-1)?.served ?? 0) - servedAtRecovery()}`,
    );

    assert.ok(servedBeforeFault > 0, 'users-2 took no traffic before the fault');
    assert.ok(firstOut !== undefined, 'users-2 never left the rotation');
    assert.ok(firstOut.failures <= 5, `it left the rotation after ${firstOut.failures} failed attempts`);
    assert.ok(p99 < DEADLINE_MS, `p99 ${p99.toFixed(1)} ms is not under the ${DEADLINE_MS} ms deadline`);
    assert.ok(returned !== undefined, `no traffic reached users-2 within ${RETURN_WITHIN_MS} ms of recovery`);
  });
});
