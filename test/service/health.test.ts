import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineService } from '../../src/service/index.ts';
import { sleep } from './helpers.ts';

test('/healthz answers 200 while the process lives', async () => {
  const s = defineService({
    name: 'h',
    logger: false,
    readiness: async () => Promise.reject(new Error('db down')),
  });
  const res = await s.app.inject('/healthz');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok' });
});

test('/readyz runs the readiness check: 200 when it passes, 503 NOT_READY when it throws', async () => {
  let healthy = true;
  const s = defineService({
    name: 'r',
    logger: false,
    readiness: async (signal) => {
      assert.ok(signal instanceof AbortSignal);
      if (!healthy) throw new Error('store ping failed: password=hunter2');
    },
  });
  assert.equal((await s.app.inject('/readyz')).statusCode, 200);
  healthy = false;
  const res = await s.app.inject('/readyz');
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().code, 'NOT_READY');
  assert.doesNotMatch(res.body, /hunter2/);
});

test('/readyz does not wait on a hanging readiness check', async () => {
  const s = defineService({ name: 'r', logger: false, readiness: () => new Promise(() => {}) });
  const started = performance.now();
  const res = await s.app.inject('/readyz');
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().code, 'NOT_READY');
  assert.ok(performance.now() - started < 2_000);
});

test('/readyz is 503 SHUTTING_DOWN once close() began', async () => {
  let release = () => {};
  const s = defineService({ name: 'r', logger: false });
  s.app.get('/slow', () => new Promise((resolve) => (release = () => resolve({ ok: true }))));
  const { url } = await s.listen({ port: 0 });
  const slow = fetch(`${url}/slow`);
  await sleep(20);
  const closing = s.close();
  const res = await s.app.inject('/readyz');
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().code, 'SHUTTING_DOWN');
  release();
  await (await slow).text();
  await closing;
});

test('/metrics counts requests by method, route pattern and status, per service', async () => {
  const a = defineService({ name: 'a', logger: false });
  const b = defineService({ name: 'b', logger: false });
  a.app.get('/users/:id', async () => ({}));
  b.app.get('/users/:id', async () => ({}));
  await a.app.inject('/users/1');
  await a.app.inject('/users/2');
  await a.app.inject('/missing/thing');
  const res = await a.app.inject('/metrics');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain/);
  const text = res.body;
  assert.match(text, /http_requests_total\{method="GET",route="\/users\/:id",status="200",service="a"\} 2/);
  assert.match(text, /http_requests_total\{method="GET",route="unmatched",status="404",service="a"\} 1/);
  assert.match(
    text,
    /http_request_duration_seconds_count\{service="a",method="GET",route="\/users\/:id",status="200"\} 2/,
  );
  assert.doesNotMatch(text, /\/users\/1/);
  assert.equal(a.metrics === b.metrics, false);
  assert.doesNotMatch(await b.metrics.metrics(), /status="200"/);
});
