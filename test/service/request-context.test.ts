import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentContext, type RequestContext } from '../../src/context/index.ts';
import { defineService } from '../../src/service/index.ts';
import { sleep } from './helpers.ts';

function service(options: { defaultDeadlineMs?: number; maxDeadlineMs?: number } = {}) {
  const s = defineService({ name: 'ctx', logger: false, ...options });
  const seen: { ctx?: RequestContext; ran: number; aborted?: boolean } = { ran: 0 };
  s.app.get('/ctx', async (request) => {
    seen.ran++;
    await sleep(1);
    await Promise.resolve();
    const ctx = currentContext();
    assert.equal(ctx, request.ctx, 'request.ctx is the current context');
    seen.ctx = ctx;
    return { requestId: ctx?.requestId, remaining: ctx?.deadline?.remainingMs(), propagate: ctx?.propagate };
  });
  s.app.get('/slow', async (request) => {
    seen.ran++;
    const signal = request.ctx.signal;
    await new Promise((resolve) => {
      signal.addEventListener('abort', resolve, { once: true });
      setTimeout(resolve, 2_000).unref();
    });
    seen.aborted = signal.aborted;
    return { late: true };
  });
  s.app.get('/fail', async () => {
    throw new Error('x');
  });
  return { s, seen };
}

test('an x-request-id of the allowed shape is echoed, on errors too', async () => {
  const { s } = service();
  for (const url of ['/ctx', '/nowhere', '/fail']) {
    const res = await s.app.inject({ url, headers: { 'x-request-id': 'req_1.a-B' } });
    assert.equal(res.headers['x-request-id'], 'req_1.a-B', url);
  }
  const body = (await s.app.inject({ url: '/ctx', headers: { 'x-request-id': 'abc' } })).json();
  assert.equal(body.requestId, 'abc');
});

test('a missing or malformed x-request-id is replaced by a generated UUID', async () => {
  const { s } = service();
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  for (const headers of [{}, { 'x-request-id': 'bad id' }, { 'x-request-id': 'a'.repeat(129) }]) {
    const res = await s.app.inject({ url: '/ctx', headers });
    assert.match(String(res.headers['x-request-id']), uuid);
    assert.equal(res.json().requestId, res.headers['x-request-id']);
  }
});

test('currentContext() after awaits has the request id, a capped deadline and propagated headers', async () => {
  const { s } = service({ defaultDeadlineMs: 1_000, maxDeadlineMs: 5_000 });
  const res = await s.app.inject({
    url: '/ctx',
    headers: {
      'x-request-id': 'r1',
      'x-weft-deadline-ms': '60000',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'a=b',
      'x-weft-retry': '1',
      authorization: 'Bearer secret',
    },
  });
  const body = res.json();
  assert.equal(body.requestId, 'r1');
  assert.ok(
    body.remaining > 4_000 && body.remaining <= 5_000,
    `capped to maxDeadlineMs, got ${body.remaining}`,
  );
  assert.deepEqual(body.propagate, {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'a=b',
    'x-weft-retry': '1',
  });
  const fallback = (await s.app.inject('/ctx')).json();
  assert.ok(
    fallback.remaining > 500 && fallback.remaining <= 1_000,
    'defaultDeadlineMs applies without a header',
  );
});

test('a malformed deadline header is 400 VALIDATION_FAILED', async () => {
  const { s } = service();
  const res = await s.app.inject({ url: '/ctx', headers: { 'x-weft-deadline-ms': 'soon' } });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'VALIDATION_FAILED');
});

test('a zero deadline is a malformed request: 400 VALIDATION_FAILED, handler not run', async () => {
  const { s, seen } = service();
  const res = await s.app.inject({ url: '/ctx', headers: { 'x-weft-deadline-ms': '0' } });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'VALIDATION_FAILED');
  assert.equal(seen.ran, 0);
});

test('a request whose deadline is spent before its handler runs is 504 DEADLINE_EXCEEDED, handler not run', async () => {
  const { s, seen } = service();
  s.app.addHook('preHandler', (_request, _reply, done) => {
    // Hold the event loop past the 1 ms budget, as a busy process would.
    const until = performance.now() + 5;
    while (performance.now() < until);
    done();
  });
  const res = await s.app.inject({ url: '/ctx', headers: { 'x-weft-deadline-ms': '1' } });
  assert.equal(res.statusCode, 504);
  assert.equal(res.json().code, 'DEADLINE_EXCEEDED');
  assert.equal(seen.ran, 0);
});

test('a handler still running at the deadline gets 504 DEADLINE_EXCEEDED and an aborted signal', async () => {
  const { s, seen } = service();
  const started = performance.now();
  const res = await s.app.inject({ url: '/slow', headers: { 'x-weft-deadline-ms': '50' } });
  assert.equal(res.statusCode, 504);
  assert.equal(res.json().code, 'DEADLINE_EXCEEDED');
  assert.ok(performance.now() - started < 1_000, 'the caller is not left waiting');
  await sleep(5);
  assert.equal(seen.aborted, true);
});

test('the signal aborts when the client disconnects', async () => {
  const { s, seen } = service({ defaultDeadlineMs: 0 });
  const { url } = await s.listen({ port: 0 });
  try {
    const controller = new AbortController();
    const pending = fetch(`${url}/slow`, { signal: controller.signal }).catch(() => undefined);
    while (seen.ran === 0) await sleep(5);
    controller.abort();
    await pending;
    for (let i = 0; i < 100 && seen.aborted === undefined; i++) await sleep(5);
    assert.equal(seen.aborted, true);
  } finally {
    await s.close();
  }
});

test('a route may set its own default deadline, checked when the route is added', async () => {
  const s = defineService({ name: 'routes', logger: false, defaultDeadlineMs: 5_000 });
  let seenMs = 0;
  s.app.get('/v1/quick', { config: { deadlineMs: 300 } }, async (request) => {
    seenMs = request.ctx.deadline?.remainingMs() ?? 0;
    return {};
  });
  await s.app.inject({ url: '/v1/quick' });
  assert.ok(seenMs > 200 && seenMs <= 300, `the route's handler saw ${seenMs} ms`);
  // The caller's own budget still wins.
  await s.app.inject({ url: '/v1/quick', headers: { 'x-weft-deadline-ms': '2000' } });
  assert.ok(seenMs > 1_000, `with a caller's budget the handler saw ${seenMs} ms`);
  const bad = defineService({ name: 'bad', logger: false });
  assert.throws(
    () => bad.app.get('/v1/x', { config: { deadlineMs: 0 } }, async () => ({})),
    /config\.deadlineMs must be an integer from 1 to 60000, got 0/,
  );
  await s.close();
  await bad.close();
});
