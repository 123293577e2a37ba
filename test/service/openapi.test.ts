import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Type } from 'typebox';
import { defineService } from '../../src/service/index.ts';

function service() {
  const s = defineService({ name: 'users', version: '1.2.3', logger: false, versions: { v1: {} } });
  const User = Type.Object({ id: Type.String(), name: Type.String() });
  s.app.get(
    '/v1/users/:id',
    { schema: { params: Type.Object({ id: Type.String() }), response: { 200: User } } },
    async (request) => ({ id: request.params.id, name: 'Ada' }),
  );
  s.app.post(
    '/v1/users',
    { schema: { body: Type.Object({ name: Type.String() }), response: { 201: User } } },
    async (request, reply) => {
      reply.code(201);
      return { id: '1', name: request.body.name };
    },
  );
  return s;
}

test('/openapi.json is a valid OpenAPI 3.1 document of the routes', async () => {
  const s = service();
  const res = await s.app.inject('/openapi.json');
  assert.equal(res.statusCode, 200);
  const spec = res.json();
  assert.equal(spec.openapi, '3.1.0');
  assert.deepEqual(spec.info, { title: 'users', version: '1.2.3' });
  const result = await new Validator().validate(spec);
  assert.equal(result.valid, true, JSON.stringify(result.errors));
  assert.ok(spec.paths['/v1/users/{id}'].get);
  assert.ok(spec.paths['/v1/users'].post);
});

test('problem answers are documented, and body schemas are closed', async () => {
  const spec = (await service().app.inject('/openapi.json')).json();
  const op = spec.paths['/v1/users'].post;
  assert.deepEqual(op.responses['4XX'].content['application/problem+json'].schema, {
    $ref: '#/components/schemas/WeftProblem',
  });
  assert.ok(op.responses['5XX']);
  assert.ok(spec.components.schemas.WeftProblem.properties.code);
  assert.equal(op.requestBody.content['application/json'].schema.additionalProperties, false);
});

test('operational routes are hidden from the document', async () => {
  const spec = (await service().app.inject('/openapi.json')).json();
  for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs', '/docs/']) {
    assert.equal(spec.paths[path], undefined, path);
  }
});

test('/docs serves the documentation page', async () => {
  const s = service();
  const res = await s.app.inject('/docs/');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /text\/html/);
});

test('an error answer is serialised by the shared problem schema', async () => {
  const s = service();
  const res = await s.app.inject({ method: 'POST', url: '/v1/users', payload: { nope: 1 } });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(Object.keys(res.json()).sort(), [
    'code',
    'detail',
    'errors',
    'requestId',
    'status',
    'title',
    'type',
  ]);
});
