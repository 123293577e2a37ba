import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_BREAKER_OPEN_MS,
  DEFAULT_RETRY_BUDGET_MIN_PER_SECOND,
  DEFAULT_RETRY_BUDGET_RATIO,
} from '../../src/client/options.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type RunningShop, startShop } from '../support/shop.ts';
import { composedPath, metricSum, type Outcome, runFixedRate, scrape, seeded } from './load.ts';

const RATE = 50;
const DEADLINE_MS = 1_000;
const WARM_MS = 1_000;
/** Long enough for a probe to fail while it is still down, ending between two probes. */
const FAILING_MS = 8_500;
/** After recovery the breaker must close within two probe intervals (its open time). */
const CLOSE_WITHIN_MS = 2 * DEFAULT_BREAKER_OPEN_MS;

let shop: RunningShop;
const proxies: FaultProxy[] = [];

before(async () => {
  // Both users instances sit behind fault proxies: the whole upstream can fail at once.
  shop = await startShop({
    instanceEnv: async (urls) => {
      for (const url of urls.users) proxies.push(await startFaultProxy(url));
      return { 'gateway-1': { WEFT_UPSTREAM_USERS: proxies.map((p) => p.url).join(',') } };
    },
  });
});
after(async () => {
  await shop?.stop();
  await Promise.all(proxies.map((p) => p.close()));
});

interface Counts {
  readonly at: number;
  readonly requests: number;
  readonly attempts: number;
  readonly retries: number;
  readonly budgetExhausted: number;
  readonly breaker: number;
  /** Breaker transitions so far, by new state. */
  readonly transitions: string;
}

async function counts(started: number): Promise<Counts> {
  const text = await scrape(shop.gateway);
  const users = { upstream: 'users' };
  return {
    at: performance.now() - started,
    requests: metricSum(text, 'weft_client_requests_total', users),
    attempts: metricSum(text, 'weft_client_attempts_total', users),
    retries: metricSum(text, 'weft_client_retries_total', users),
    budgetExhausted: metricSum(text, 'weft_client_retry_budget_exhausted_total', users),
    breaker: metricSum(text, 'weft_client_breaker_state', users),
    transitions: ['open', 'half-open', 'closed']
      .map(
        (state) =>
          `${state}:${metricSum(text, 'weft_client_breaker_transitions_total', { ...users, state })}`,
      )
      .join(' '),
  };
}

describe('an upstream failing every request with 503', () => {
  it('costs at most 1.2 × requests + the budget floor in attempts, opens the breaker, and closes it within two probe intervals of recovery', async () => {
    const random = seeded(3);
    const started = performance.now();
    const timeline: Counts[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        timeline.push(await counts(started));
        await sleep(100);
      }
    })();
    let failingFrom: Counts | undefined;
    let failingTo: Counts | undefined;
    let failStarted = 0;
    let recovered = 0;
    const outcomes: Outcome[] = await runFixedRate({
      url: shop.gateway,
      rate: RATE,
      durationMs: WARM_MS + FAILING_MS + CLOSE_WITHIN_MS + 2_000,
      deadlineMs: DEADLINE_MS,
      path: () => composedPath(random),
      // Once closed, a little more traffic shows that requests succeed again.
      stopWhen: () => {
        if (recovered === 0) return false;
        const closed = timeline.find((c) => c.at > recovered && c.breaker === 0);
        return closed !== undefined && (timeline.at(-1)?.at ?? 0) > closed.at + 2_000;
      },
      onTick: (elapsed) => {
        if (elapsed >= WARM_MS && failStarted === 0) {
          failStarted = performance.now() - started;
          failingFrom = timeline.at(-1);
          for (const p of proxies) p.setMode({ kind: 'http5xx', status: 503 });
        } else if (elapsed >= WARM_MS + FAILING_MS && recovered === 0) {
          recovered = performance.now() - started;
          failingTo = timeline.at(-1);
          for (const p of proxies) p.setMode({ kind: 'pass' });
        }
      },
    });
    polling = false;
    await poll;
    assert.ok(failingFrom !== undefined && failingTo !== undefined);

    const requests = failingTo.requests - failingFrom.requests;
    const attempts = failingTo.attempts - failingFrom.attempts;
    const seconds = (failingTo.at - failingFrom.at) / 1000;
    const floor = DEFAULT_RETRY_BUDGET_MIN_PER_SECOND * (seconds + 1);
    const bound = (1 + DEFAULT_RETRY_BUDGET_RATIO) * requests + floor;
    const inbound = outcomes.filter((o) => o.sentAt >= failStarted && o.sentAt < recovered);
    const opened = timeline.find((c) => c.at > failStarted && c.breaker === 2);
    const closed = timeline.find((c) => c.at > recovered && c.breaker === 0);
    const afterClose = outcomes.filter((o) => closed !== undefined && o.sentAt > closed.at + 500);
    const codes: Record<string, number> = {};
    for (const o of inbound) codes[o.code ?? String(o.status)] = (codes[o.code ?? String(o.status)] ?? 0) + 1;
    console.log(
      `# failing ${seconds.toFixed(1)} s: composed=${inbound.length} users_requests=${requests} users_attempts=${attempts}` +
        ` retries=${failingTo.retries - failingFrom.retries} budget_exhausted=${failingTo.budgetExhausted - failingFrom.budgetExhausted}` +
        ` bound=1.2×${requests}+${floor.toFixed(0)}=${bound.toFixed(0)} answers=${JSON.stringify(codes)}`,
    );
    console.log(
      `# breaker opened ${opened === undefined ? 'never' : `${(opened.at - failStarted).toFixed(0)} ms after the fault`};` +
        ` closed ${closed === undefined ? 'never' : `${(closed.at - recovered).toFixed(0)} ms after recovery`}` +
        ` (probe interval ${DEFAULT_BREAKER_OPEN_MS} ms); transitions ${timeline.at(-1)?.transitions}; after closing ${afterClose.filter((o) => o.status === 200).length}/${afterClose.length} ok`,
    );

    assert.ok(requests > 0);
    assert.ok(attempts <= bound, `${attempts} attempts for ${requests} requests (bound ${bound.toFixed(0)})`);
    assert.ok(opened !== undefined, 'the breaker never opened');
    assert.ok(closed !== undefined, 'the breaker never closed');
    assert.ok(closed.at - recovered <= CLOSE_WITHIN_MS, `closed ${closed.at - recovered} ms after recovery`);
    assert.ok(
      afterClose.length > 0 && afterClose.every((o) => o.status === 200),
      'requests fail after closing',
    );
  });
});
