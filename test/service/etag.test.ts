import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from 'typebox';
import { WeftError } from '../../src/errors/index.ts';
import {
  decodeCursor,
  defineService,
  encodeCursor,
  etag,
  ifMatch,
  ifNoneMatchHits,
} from '../../src/service/index.ts';

function service() {
  const s = defineService({ name: 'things', logger: false });
  const thing = { id: '1', version: 3 };
  s.app.get(
    '/things/:id',
    { schema: { response: { 200: Type.Object({ id: Type.String(), version: Type.Integer() }) } } },
    async (_request, reply) => {
      reply.header('etag', etag(thing.version));
      return thing;
    },
  );
  s.app.patch('/things/:id', async (request) => {
    const expected = ifMatch(request);
    if (expected !== undefined && expected !== String(thing.version)) {
      throw new WeftError('VERSION_MISMATCH', `thing is at version ${thing.version}`);
    }
    return { ok: true };
  });
  return s;
}

test('etag() is a strong, quoted tag', () => {
  assert.equal(etag(3), '"3"');
  assert.equal(etag('a-b'), '"a-b"');
  assert.throws(() => etag('a"b'), TypeError);
});

test('a matching If-None-Match is answered 304 with no body', async () => {
  const s = service();
  const first = await s.app.inject('/things/1');
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers.etag, '"3"');
  for (const condition of ['"3"', 'W/"3"', '"1", "3"', '*']) {
    const res = await s.app.inject({ url: '/things/1', headers: { 'if-none-match': condition } });
    assert.equal(res.statusCode, 304, condition);
    assert.equal(res.body, '');
    assert.equal(res.headers.etag, '"3"');
  }
  const stale = await s.app.inject({ url: '/things/1', headers: { 'if-none-match': '"2"' } });
  assert.equal(stale.statusCode, 200);
  assert.equal(stale.json().version, 3);
});

test('ifMatch() gives the expected version; the app answers 412 VERSION_MISMATCH', async () => {
  const s = service();
  const patch = (headers: Record<string, string>) =>
    s.app.inject({ method: 'PATCH', url: '/things/1', headers, payload: {} });
  assert.equal((await patch({ 'if-match': '"3"' })).statusCode, 200);
  assert.equal((await patch({})).statusCode, 200);
  assert.equal((await patch({ 'if-match': '*' })).statusCode, 200);
  const stale = await patch({ 'if-match': '"2"' });
  assert.equal(stale.statusCode, 412);
  assert.equal(stale.json().code, 'VERSION_MISMATCH');
  const weak = await patch({ 'if-match': 'W/"3"' });
  assert.equal(weak.statusCode, 400);
  assert.equal(weak.json().code, 'VALIDATION_FAILED');
});

test('ifNoneMatchHits compares weakly', () => {
  assert.equal(ifNoneMatchHits('W/"3"', '"3"'), true);
  assert.equal(ifNoneMatchHits('"4"', '"3"'), false);
});

test('cursors round-trip, and a bad cursor is 400 BAD_CURSOR', () => {
  const position = { after: 'o-42', createdAt: '2026-01-01T00:00:00Z' };
  const cursor = encodeCursor(position);
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor(cursor), position);
  for (const bad of ['', 'not base64!', encodeCursor([1] as never).replace(/./, 'x'), 'x'.repeat(5000)]) {
    assert.throws(() => decodeCursor(bad), { code: 'BAD_CURSOR', status: 400 }, bad);
  }
  for (const value of ['[1,2]', '"s"', 'null', '{"__proto__":{"x":1}}']) {
    assert.throws(
      () => decodeCursor(Buffer.from(value).toString('base64url')),
      { code: 'BAD_CURSOR' },
      value,
    );
  }
});
