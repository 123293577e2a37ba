import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { Type } from 'typebox';
import { defineService, exceedsJsonDepth, parseIdList } from '../../src/service/index.ts';

const s = defineService({ name: 'hardening', logger: false, bodyLimitBytes: 1024, maxJsonDepth: 8 });
s.app.post(
  '/items',
  {
    schema: {
      body: Type.Object({
        name: Type.String(),
        tags: Type.Optional(Type.Array(Type.Object({ k: Type.String() }))),
      }),
      response: { 201: Type.Object({ name: Type.String(), polluted: Type.Boolean() }) },
    },
  },
  async (request, reply) => {
    const merged = Object.assign({}, request.body);
    reply.code(201);
    return { name: merged.name, polluted: ({} as Record<string, unknown>).isAdmin !== undefined };
  },
);
s.app.post('/anything', { schema: { body: Type.Any() } }, async (request) => ({
  ok: request.body !== undefined,
}));

const json = { 'content-type': 'application/json' };
const post = (payload: string, headers: Record<string, string> = json, url = '/items') =>
  s.app.inject({ method: 'POST', url, payload, headers });

test('a body over the limit is 413 BODY_TOO_LARGE', async () => {
  const res = await post(JSON.stringify({ name: 'x'.repeat(2000) }));
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().code, 'BODY_TOO_LARGE');
});

test('malformed JSON is 400 MALFORMED_JSON', async () => {
  for (const payload of ['{"name":', '{name: 1}', '']) {
    const res = await post(payload);
    assert.equal(res.statusCode, 400, payload);
    assert.equal(res.json().code, 'MALFORMED_JSON');
  }
});

test('unknown body fields are 400 VALIDATION_FAILED, nested ones too', async () => {
  const top = await post(JSON.stringify({ name: 'a', admin: true }));
  assert.equal(top.statusCode, 400);
  assert.equal(top.json().code, 'VALIDATION_FAILED');
  assert.deepEqual(top.json().errors[0], {
    path: 'body/admin',
    code: 'UNKNOWN_FIELD',
    detail: "unknown field 'admin'",
  });
  const nested = await post(JSON.stringify({ name: 'a', tags: [{ k: 'x', v: 1 }] }));
  assert.equal(nested.statusCode, 400);
  assert.equal(nested.json().errors[0].path, 'body/tags/0/v');
});

test('__proto__ and constructor.prototype keys are 400 and pollute nothing', async () => {
  for (const payload of [
    '{"name":"a","__proto__":{"isAdmin":true}}',
    '{"name":"a","constructor":{"prototype":{"isAdmin":true}}}',
  ]) {
    const res = await post(payload, json, '/anything');
    assert.equal(res.statusCode, 400, payload);
    assert.equal(res.json().code, 'VALIDATION_FAILED');
    assert.equal(res.json().errors[0].code, 'FORBIDDEN_KEY');
  }
  assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
});

test('a body nested deeper than maxJsonDepth is 400 BODY_TOO_DEEP, even 10,000 deep', async () => {
  const roomy = defineService({ name: 'roomy', logger: false });
  roomy.app.post('/anything', { schema: { body: Type.Any() } }, async () => ({ ok: true }));
  for (const deep of [
    '['.repeat(10_000) + ']'.repeat(10_000),
    '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
  ]) {
    const res = await roomy.app.inject({ method: 'POST', url: '/anything', payload: deep, headers: json });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'BODY_TOO_DEEP');
  }
  const ok = await s.app.inject({
    method: 'POST',
    url: '/anything',
    payload: '[[[[[[[[1]]]]]]]]',
    headers: json,
  });
  assert.equal(ok.statusCode, 200, 'exactly maxJsonDepth levels is allowed');
});

test('the depth scan ignores brackets inside strings, escaped quotes included', () => {
  assert.equal(exceedsJsonDepth(JSON.stringify({ a: '[[[[[[[[[[[[' }), 3), false);
  assert.equal(exceedsJsonDepth(JSON.stringify({ a: 'x\\"[[[[[[', b: [[[1]]] }), 3), true);
  assert.equal(exceedsJsonDepth(JSON.stringify({ a: '\\', b: [[1]] }), 3), false);
});

test('a wrong content type on a body route is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
    const res = await post('name=a', { 'content-type': type });
    assert.equal(res.statusCode, 415, type);
    assert.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE');
  }
});

test('application/*+json bodies are parsed as JSON', async () => {
  const res = await post('{"name":"a"}', { 'content-type': 'application/merge-patch+json' });
  assert.equal(res.statusCode, 201);
});

test('parseIdList trims, de-duplicates and bounds the batch', () => {
  assert.deepEqual(parseIdList('a, b,a,c'), ['a', 'b', 'c']);
  assert.throws(() => parseIdList(Array.from({ length: 101 }, (_, i) => `u${i}`).join(',')), {
    code: 'BATCH_TOO_LARGE',
  });
  assert.deepEqual(parseIdList('a,b', 2), ['a', 'b']);
  assert.throws(() => parseIdList('a,b,c', 2), { code: 'BATCH_TOO_LARGE', status: 400 });
  assert.throws(() => parseIdList(undefined), { code: 'VALIDATION_FAILED' });
  assert.throws(() => parseIdList(''), { code: 'VALIDATION_FAILED' });
  assert.throws(
    () => parseIdList('a,,b'),
    (error: { code: string; errors: { path: string }[] }) => {
      assert.equal(error.code, 'VALIDATION_FAILED');
      assert.equal(error.errors[0].path, 'ids/1');
      return true;
    },
  );
  assert.throws(() => parseIdList('a,<script>'), { code: 'VALIDATION_FAILED' });
});

describeHeaders();

function describeHeaders() {
  let url: URL;
  before(async () => {
    url = new URL((await s.listen({ port: 0 })).url);
  });
  after(() => s.close());

  const get = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/healthz', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });

  test('oversized headers are 431 and the server stays healthy', async () => {
    assert.equal(await get({ 'x-big': 'a'.repeat(20_000) }), 431);
    assert.equal(await get({}), 200);
  });
}
