import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { DEADLINE_HEADER } from '../../src/context/index.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type RunningShop, startShop } from '../support/shop.ts';
import { composedPath, metricSum, type Outcome, quantile, runFixedRate, scrape, seeded } from './load.ts';

/** The gateway admits this many requests at once and sheds the rest. */
const MAX_INFLIGHT = 4;
/**
 * Each users call is held this long each way by a proxy, so a composed request takes ~20 ms of
 * waiting, not CPU: capacity is then about MAX_INFLIGHT / 20 ms whatever else this shared
 * machine is doing, and three times it is a load the load generator can really offer.
 */
const USERS_DELAY_MS = 10;
const DEADLINE_MS = 1_000;
const MEASURE_MS = 3_000;
const OVERLOAD_MS = 5_000;
const CALM_MS = 2_000;

let shop: RunningShop;
const proxies: FaultProxy[] = [];

before(async () => {
  shop = await startShop({
    instanceEnv: async (urls) => {
      for (const url of urls.users) {
        const proxy = await startFaultProxy(url);
        proxy.setMode({ kind: 'delay', ms: USERS_DELAY_MS });
        proxies.push(proxy);
      }
      return {
        'gateway-1': {
          WEFT_MAX_INFLIGHT: String(MAX_INFLIGHT),
          WEFT_UPSTREAM_USERS: proxies.map((p) => p.url).join(','),
        },
      };
    },
  });
});
after(async () => {
  await shop?.stop();
  await Promise.all(proxies.map((p) => p.close()));
});

/** Closed loop with exactly MAX_INFLIGHT callers: what the gateway completes per second when full. */
async function measureCapacity(random: () => number): Promise<{ rps: number; p99: number }> {
  const pool = new Pool(shop.gateway, { connections: MAX_INFLIGHT });
  const latencies: number[] = [];
  let ok = 0;
  const started = performance.now();
  const caller = async () => {
    while (performance.now() - started < MEASURE_MS) {
      const sent = performance.now();
      const answer = await pool.request({
        method: 'GET',
        path: composedPath(random),
        headers: { [DEADLINE_HEADER]: String(DEADLINE_MS) },
      });
      await answer.body.dump();
      latencies.push(performance.now() - sent);
      if (answer.statusCode === 200) ok++;
    }
  };
  await Promise.all(Array.from({ length: MAX_INFLIGHT }, caller));
  await pool.close();
  return { rps: ok / ((performance.now() - started) / 1000), p99: quantile(latencies, 0.99) };
}

describe('the gateway offered three times its capacity', () => {
  it('sheds the excess with fast 503 OVERLOADED + Retry-After, keeps admitted p99 bounded, and recovers at once', async () => {
    const random = seeded(99);
    const capacity = await measureCapacity(random);
    const shedBefore = metricSum(await scrape(shop.gateway), 'http_requests_shed_total');
    const overload = await runFixedRate({
      url: shop.gateway,
      rate: Math.round(3 * capacity.rps),
      durationMs: OVERLOAD_MS,
      deadlineMs: DEADLINE_MS,
      path: () => composedPath(random),
    });
    const calm = await runFixedRate({
      url: shop.gateway,
      rate: Math.round(capacity.rps / 2),
      durationMs: CALM_MS,
      deadlineMs: DEADLINE_MS,
      path: () => composedPath(random),
    });
    const shedCounted = metricSum(await scrape(shop.gateway), 'http_requests_shed_total') - shedBefore;

    const admitted = overload.filter((o) => o.status === 200);
    const shed = overload.filter((o) => o.status === 503 && o.code === 'OVERLOADED');
    const other = overload.filter((o) => o.status !== 200 && !(o.status === 503 && o.code === 'OVERLOADED'));
    const ms = (values: Outcome[], q: number) =>
      quantile(
        values.map((o) => o.latencyMs),
        q,
      ).toFixed(1);
    const admittedP99 = quantile(
      admitted.map((o) => o.latencyMs),
      0.99,
    );
    const shedP99 = quantile(
      shed.map((o) => o.latencyMs),
      0.99,
    );
    const calmFailed = calm.filter((o) => o.status !== 200);
    console.log(
      `# capacity ${capacity.rps.toFixed(0)} rps at ${MAX_INFLIGHT} in flight (p99 ${capacity.p99.toFixed(1)} ms);` +
        ` offered ${Math.round(3 * capacity.rps)} rps for ${OVERLOAD_MS / 1000} s: ${overload.length} requests,` +
        ` admitted ${admitted.length} (p50 ${ms(admitted, 0.5)} p99 ${admittedP99.toFixed(1)} ms),` +
        ` shed ${shed.length} (p50 ${ms(shed, 0.5)} p99 ${shedP99.toFixed(1)} ms, gateway counted ${shedCounted}),` +
        ` other ${other.length} ${JSON.stringify(other.slice(0, 3))}`,
    );
    console.log(
      `# then ${Math.round(capacity.rps / 2)} rps for ${CALM_MS / 1000} s: ${calm.length} requests, ${calmFailed.length} failed` +
        ` (first ${JSON.stringify(calm.slice(0, 1).map((o) => o.status))}), p99 ${ms(calm, 0.99)} ms`,
    );

    assert.ok(capacity.rps > 0);
    // Sheds: a real share refused, each with the stable code and Retry-After, and counted.
    assert.ok(shed.length >= overload.length / 3, `only ${shed.length} of ${overload.length} shed`);
    assert.ok(shed.every((o) => o.retryAfter !== undefined && Number(o.retryAfter) >= 1));
    // The gateway's own count agrees with what callers saw, give or take a request the client
    // resent on a fresh connection (undici retries an idempotent request whose socket closed).
    assert.ok(
      Math.abs(shedCounted - shed.length) <= Math.max(2, shed.length * 0.01),
      `gateway counted ${shedCounted} sheds, callers saw ${shed.length}`,
    );
    assert.deepEqual(other, [], 'every request is either answered or shed');
    // Fast: a refusal waits for no upstream, so it comes back sooner than the work it refuses.
    assert.ok(
      shedP99 < admittedP99,
      `shed p99 ${shedP99.toFixed(1)} ms, admitted p99 ${admittedP99.toFixed(1)} ms`,
    );
    // Bounded: admitted requests do not queue behind the excess; they finish well inside the deadline.
    assert.ok(admittedP99 < DEADLINE_MS / 2, `admitted p99 ${admittedP99.toFixed(1)} ms`);
    // At once: the first requests after the load drops succeed, and so do all the others.
    assert.deepEqual(calmFailed, [], 'requests failed after the load dropped');
  });
});
