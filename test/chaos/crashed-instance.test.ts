import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { RestartEvent } from '../../src/cli/index.ts';
import { type RunningShop, startShop } from '../support/shop.ts';
import { composedPath, metricSum, quantile, runFixedRate, scrape, seeded } from './load.ts';

/** Composed requests per second: steady traffic, well below the gateway's capacity here. */
const RATE = 100;
const DURATION_MS = 20_000;
const KILL_AT_MS = 5_000;
const DEADLINE_MS = 1_000;
/**
 * Latency is measured in this process, which shares two busy cores with the shop: an answer the
 * gateway sent on time can reach us a little late. This grace covers the trip back, not work.
 */
const SCHEDULING_GRACE_MS = 100;

let shop: RunningShop;

before(async () => {
  shop = await startShop();
});
after(async () => {
  await shop?.stop();
});

describe('an orders instance killed with SIGKILL under steady composed traffic', () => {
  it('is restarted, and at most 0.1% of requests fail, none after its deadline', async () => {
    const random = seeded(20_261_203);
    const restarted = once(shop.supervisor, 'restart') as Promise<[RestartEvent]>;
    let killed = false;
    const outcomes = await runFixedRate({
      url: shop.gateway,
      rate: RATE,
      durationMs: DURATION_MS,
      deadlineMs: DEADLINE_MS,
      path: () => composedPath(random),
      onTick: (elapsed) => {
        if (!killed && elapsed >= KILL_AT_MS) {
          killed = true;
          assert.equal(shop.supervisor.kill('orders-2', 'SIGKILL'), true);
        }
      },
    });
    const [restart] = await restarted;
    const metrics = await scrape(shop.gateway);
    const failed = outcomes.filter((o) => o.status !== 200);
    const late = outcomes.filter((o) => o.latencyMs > DEADLINE_MS + SCHEDULING_GRACE_MS);
    const latencies = outcomes.map((o) => o.latencyMs);
    const info = shop.supervisor.processes().find((p) => p.instance === 'orders-2')!;
    const retries = metricSum(metrics, 'weft_client_retries_total', { upstream: 'orders' });
    const ordersFailures = metricSum(metrics, 'weft_client_failures_total', { upstream: 'orders' });
    const ejections = metricSum(metrics, 'weft_client_ejections_total', { upstream: 'orders' });
    console.log(
      `# requests=${outcomes.length} failed=${failed.length} (${((failed.length / outcomes.length) * 100).toFixed(3)}%)` +
        ` late=${late.length} p50=${quantile(latencies, 0.5).toFixed(1)}ms p99=${quantile(latencies, 0.99).toFixed(1)}ms` +
        ` max=${Math.max(...latencies).toFixed(1)}ms restarts=${info.restarts} (${restart.reason}, after ${restart.delayMs}ms)` +
        ` state=${info.state} orders_attempt_failures=${ordersFailures} retries=${retries} ejections=${ejections}`,
    );
    if (failed.length > 0) {
      console.log(`# failures: ${JSON.stringify(failed.slice(0, 10))}`);
    }
    assert.equal(restart.instance, 'orders-2');
    assert.match(restart.reason, /SIGKILL/);
    assert.ok(info.restarts >= 1);
    assert.ok(outcomes.length >= RATE * (DURATION_MS / 1000) * 0.95, `only ${outcomes.length} requests sent`);
    assert.ok(
      failed.length <= outcomes.length * 0.001,
      `${failed.length} of ${outcomes.length} failed: ${JSON.stringify(failed.slice(0, 5))}`,
    );
    assert.equal(late.length, 0, `answered after the deadline: ${JSON.stringify(late.slice(0, 5))}`);
  });
});
