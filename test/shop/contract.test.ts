import assert from 'node:assert/strict';
import { request as rawRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { type InProcessShop, startInProcessShop } from '../support/in-process-shop.ts';

let shop: InProcessShop;
before(async () => {
  shop = await startInProcessShop();
});
after(() => shop?.stop());

type Name = 'users' | 'orders' | 'inventory' | 'gateway';
const NAMES: Name[] = ['users', 'orders', 'inventory', 'gateway'];

async function send(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: text.startsWith('{') ? JSON.parse(text) : text,
  };
}

const json = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('every process publishes a valid OpenAPI 3.1 document and docs', () => {
  for (const name of NAMES) {
    it(`${name}: /openapi.json validates and lists its routes; /docs answers`, async () => {
      const spec = (await send(`${shop.urls[name]}/openapi.json`)).body;
      assert.equal(spec.openapi.slice(0, 3), '3.1');
      const result = await new Validator().validate(spec);
      assert.equal(result.valid, true, JSON.stringify(result.errors));
      assert.ok(Object.keys(spec.paths).some((path) => path.startsWith('/v1/')));
      assert.equal((await fetch(`${shop.urls[name]}/docs`, { redirect: 'follow' })).status, 200);
    });
  }
});

describe('hardening: bad input is a 4xx problem, never a 5xx', () => {
  const users = () => `${shop.urls.users}/v1/users`;

  it('a body over 1 MiB is 413 BODY_TOO_LARGE', async () => {
    const answer = await send(
      users(),
      json(JSON.stringify({ email: 'a@b.co', name: 'x'.repeat(1_100_000) })),
    );
    assert.equal(answer.status, 413);
    assert.equal(answer.body.code, 'BODY_TOO_LARGE');
  });

  it('malformed JSON is 400 MALFORMED_JSON', async () => {
    const answer = await send(users(), json('{"email": '));
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'MALFORMED_JSON');
  });

  it('unknown body fields are 400 VALIDATION_FAILED (no mass assignment)', async () => {
    const answer = await send(users(), json('{"email":"m@b.co","name":"M A","version":7}'));
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'VALIDATION_FAILED');
  });

  it('__proto__ and constructor keys are refused and pollute nothing', async () => {
    for (const body of [
      '{"__proto__":{"polluted":1},"email":"p@b.co","name":"P Q"}',
      '{"constructor":{"prototype":{"polluted":1}}}',
    ]) {
      const answer = await send(users(), json(body));
      assert.equal(answer.status, 400, body);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('JSON nested 10,000 deep is 400 BODY_TOO_DEEP, not a stack overflow', async () => {
    const answer = await send(users(), json('['.repeat(10_000) + ']'.repeat(10_000)));
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'BODY_TOO_DEEP');
  });

  it('a body of the wrong media type is 415', async () => {
    const answer = await send(users(), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    assert.equal(answer.status, 415);
    assert.equal(answer.body.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('more than 100 ids in a batch is 400 BATCH_TOO_LARGE', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `prd_${i}`).join(',');
    const answer = await send(`${shop.urls.inventory}/v1/products?ids=${ids}`);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'BATCH_TOO_LARGE');
  });

  it('headers over 16 KiB are 431, and the process serves on', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(shop.urls.gateway);
      const req = rawRequest(
        {
          host: url.hostname,
          port: url.port,
          path: '/v1/users/usr_0001',
          headers: { 'x-big': 'b'.repeat(20_000) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 431);
    assert.equal((await send(`${shop.urls.gateway}/healthz`)).status, 200);
  });

  it('wrong types in params and query are 400 VALIDATION_FAILED with the failing path', async () => {
    const answer = await send(`${shop.urls.gateway}/v1/orders?limit=lots`);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'VALIDATION_FAILED');
    assert.ok(answer.body.errors.length > 0);
  });

  it('an unknown route is 404 ROUTE_NOT_FOUND as problem+json', async () => {
    const answer = await send(`${shop.urls.gateway}/v1/nothing-here`);
    assert.equal(answer.status, 404);
    assert.match(answer.type, /problem\+json/);
    assert.equal(answer.body.code, 'ROUTE_NOT_FOUND');
  });
});

describe('operations', () => {
  it('every process answers /healthz, /readyz and Prometheus /metrics', async () => {
    for (const name of NAMES) {
      assert.equal((await send(`${shop.urls[name]}/healthz`)).status, 200, name);
      assert.equal((await send(`${shop.urls[name]}/readyz`)).status, 200, name);
      const metrics = await send(`${shop.urls[name]}/metrics`);
      assert.match(metrics.type, /text\/plain/);
      assert.match(String(metrics.body), /http_requests_total/);
    }
  });
});
