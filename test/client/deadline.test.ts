import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServiceClient } from '../../src/client/index.ts';
import { DEADLINE_HEADER, Deadline, runWithContext } from '../../src/context/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import { json, sleep, startServer } from './http-fixtures.ts';

test('the deadline header decreases hop by hop and an expired deadline is not sent', async () => {
  const budgets: Record<string, number> = {};
  const owner = await startServer((req, res) => {
    budgets.owner = Number(req.headers[DEADLINE_HEADER]);
    json(res, 200, { ok: true });
  });
  const ownerClient = createServiceClient({
    service: 'owner',
    registry: createStaticRegistry({ owner: [owner.url] }),
  });
  // A middle service: runs its work in the request context built from the inbound header, as
  // the service kit does, spends some time, then calls the owner.
  const middle = await startServer((req, res) => {
    budgets.middle = Number(req.headers[DEADLINE_HEADER]);
    const deadline = Deadline.fromHeader(req.headers[DEADLINE_HEADER]);
    const spendMs = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('spend'));
    const context = { requestId: 'r', deadline, signal: new AbortController().signal, propagate: {} };
    runWithContext(context, async () => {
      await sleep(spendMs);
      try {
        await ownerClient.get('/');
        json(res, 200, { ok: true });
      } catch (error) {
        json(res, 504, { code: (error as { code: string }).code, detail: 'x' });
      }
    });
  });
  const client = createServiceClient({
    service: 'middle',
    registry: createStaticRegistry({ middle: [middle.url] }),
  });
  try {
    await client.get('/?spend=20', { deadlineMs: 200 });
    console.log(`# budgets: caller 200, middle ${budgets.middle}, owner ${budgets.owner}`);
    assert.ok(budgets.middle < 200 && budgets.middle >= 180, `middle ${budgets.middle}`);
    assert.ok(budgets.owner < budgets.middle - 20, `owner ${budgets.owner}`);

    const ownerCalls = owner.seen.length;
    await assert.rejects(client.get('/?spend=250', { deadlineMs: 200 }), { code: 'DEADLINE_EXCEEDED' });
    await sleep(100);
    assert.equal(owner.seen.length, ownerCalls, 'the owner never saw the call whose deadline had passed');
  } finally {
    await client.close();
    await ownerClient.close();
    await middle.close();
    await owner.close();
  }
});

test('the earliest of the explicit deadline, the caller signal and the context wins', async () => {
  const server = await startServer((_req, res) => void setTimeout(() => json(res, 200, {}), 300));
  const client = createServiceClient({
    service: 'x',
    registry: createStaticRegistry({ x: [server.url] }),
    retry: false,
  });
  try {
    const context = {
      requestId: 'r',
      deadline: Deadline.after(1_000),
      signal: new AbortController().signal,
      propagate: {},
    };
    let start = performance.now();
    await assert.rejects(
      runWithContext(context, () => client.get('/', { deadlineMs: 50 })),
      { code: 'DEADLINE_EXCEEDED' },
    );
    assert.ok(performance.now() - start < 120);
    start = performance.now();
    await assert.rejects(client.get('/', { signal: AbortSignal.timeout(40) }), { code: 'DEADLINE_EXCEEDED' });
    assert.ok(performance.now() - start < 120);
  } finally {
    await client.close();
    await server.close();
  }
});
