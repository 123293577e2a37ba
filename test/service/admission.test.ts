import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineService } from '../../src/service/index.ts';

const services: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(services.map((s) => s.close())));

async function slowService(maxInflightRequests: number) {
  const service = defineService({ name: 'shed', logger: false, maxInflightRequests });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  service.app.get('/v1/slow', async () => {
    await gate;
    return { ok: true };
  });
  service.app.get('/v1/fast', async () => ({ ok: true }));
  services.push(service);
  const { url } = await service.listen({ port: 0 });
  return { url, release, service };
}

test('past maxInflightRequests, requests are refused at once with 503 OVERLOADED and Retry-After', async () => {
  const { url, release } = await slowService(3);
  const admitted = Array.from({ length: 3 }, () => fetch(`${url}/v1/slow`));
  await sleep(50);
  const started = performance.now();
  const refused = await fetch(`${url}/v1/fast`);
  const ms = performance.now() - started;
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal(((await refused.json()) as { code: string }).code, 'OVERLOADED');
  assert.ok(ms < 200, `refused in ${ms} ms`);
  release();
  for (const answer of await Promise.all(admitted)) assert.equal(answer.status, 200);
});

test('probes and metrics are answered even while shedding', async () => {
  const { url, release } = await slowService(1);
  const busy = fetch(`${url}/v1/slow`);
  await sleep(50);
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /http_requests_in_flight\S* 1/);
  assert.equal((await fetch(`${url}/v1/fast`)).status, 503);
  assert.match(await (await fetch(`${url}/metrics`)).text(), /http_requests_shed_total\S* 1/);
  release();
  await busy;
});

test('capacity returns as soon as requests finish, including aborted ones', async () => {
  const { url, release } = await slowService(2);
  const aborter = new AbortController();
  const abandoned = fetch(`${url}/v1/slow`, { signal: aborter.signal }).catch(() => undefined);
  const kept = fetch(`${url}/v1/slow`);
  await sleep(50);
  assert.equal((await fetch(`${url}/v1/fast`)).status, 503);
  aborter.abort();
  await abandoned;
  await sleep(50);
  assert.equal((await fetch(`${url}/v1/fast`)).status, 200, 'the aborted request gave its slot back');
  release();
  assert.equal((await kept).status, 200);
});

test('rejects a negative limit, naming the option', () => {
  assert.throws(
    () => defineService({ name: 'x', logger: false, maxInflightRequests: -1 }),
    /maxInflightRequests/,
  );
});
