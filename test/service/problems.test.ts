import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from 'typebox';
import { defineErrors, WeftError } from '../../src/errors/index.ts';
import { defineService, problem, problemsOf } from '../../src/service/index.ts';
import { capturingLogger } from './helpers.ts';

const shopErrors = defineErrors({
  USER_NOT_FOUND: { status: 404, title: 'No such user', retryable: false },
});

function service(logger: false | ReturnType<typeof capturingLogger>['logger'] = false) {
  const s = defineService({ name: 'users', logger, errors: shopErrors });
  s.app.get('/weft', async () => {
    throw new WeftError('RATE_LIMITED', 'slow down', { headers: { 'retry-after': '7' } });
  });
  s.app.get('/app', async () => {
    throw problemsOf(shopErrors)('USER_NOT_FOUND', 'no user 42');
  });
  s.app.get('/app-bare', async () => {
    throw new WeftError('USER_NOT_FOUND', 'no user 43');
  });
  s.app.get('/boom', async () => {
    throw new Error('connection to postgres://admin:hunter2@db failed');
  });
  s.app.get(
    '/users/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String({ pattern: '^[0-9]+$' }) }),
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ maximum: 10 })) }),
      },
    },
    async () => ({ ok: true }),
  );
  return s;
}

test('a thrown WeftError keeps its code, status and headers, as application/problem+json', async () => {
  const s = service();
  const res = await s.app.inject('/weft');
  assert.equal(res.statusCode, 429);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.headers['retry-after'], '7');
  const body = res.json();
  assert.equal(body.code, 'RATE_LIMITED');
  assert.equal(body.detail, 'slow down');
  assert.equal(body.type, 'urn:weft:problem:rate-limited');
  assert.equal(body.requestId, res.headers['x-request-id']);
});

test('application codes take status and title from the service catalogue', async () => {
  const s = service();
  for (const url of ['/app', '/app-bare']) {
    const res = await s.app.inject(url);
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().code, 'USER_NOT_FOUND');
    assert.equal(res.json().title, 'No such user');
  }
});

test('problem() builds weft codes with the catalogue status', () => {
  const error = problem('NOT_FOUND', 'gone');
  assert.equal(error.status, 404);
  assert.equal(error.code, 'NOT_FOUND');
});

test('schema violations are 400 VALIDATION_FAILED with path, code and detail per item', async () => {
  const s = service();
  const res = await s.app.inject('/users/abc');
  assert.equal(res.statusCode, 400);
  const body = res.json();
  assert.equal(body.code, 'VALIDATION_FAILED');
  assert.deepEqual(Object.keys(body.errors[0]).sort(), ['code', 'detail', 'path']);
  assert.equal(body.errors[0].path, 'params/id');
  assert.equal(body.errors[0].code, 'PATTERN');
  const query = await s.app.inject('/users/1?limit=99');
  assert.equal(query.json().errors[0].path, 'querystring/limit');
  assert.equal(query.json().errors[0].code, 'MAXIMUM');
});

test('an unknown route is 404 ROUTE_NOT_FOUND', async () => {
  const res = await service().app.inject('/nowhere?x=1');
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, 'ROUTE_NOT_FOUND');
});

test('an unknown error is 500 INTERNAL: the cause is logged, never sent', async () => {
  const capture = capturingLogger();
  const s = service(capture.logger);
  const res = await s.app.inject('/boom');
  assert.equal(res.statusCode, 500);
  assert.equal(res.json().code, 'INTERNAL');
  assert.doesNotMatch(res.body, /hunter2|postgres|stack/);
  const failure = capture.lines.find((line) => line.msg === 'request failed');
  assert.ok(failure, 'the failure is logged');
  assert.match(JSON.stringify(failure.err), /postgres/);
  assert.equal(failure.requestId, res.headers['x-request-id']);
});
