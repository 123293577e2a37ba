import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineService } from '../../src/service/index.ts';

function service() {
  const s = defineService({
    name: 'users',
    logger: false,
    versions: {
      v1: {
        deprecated: {
          since: '2026-06-01T00:00:00Z',
          sunset: '2027-01-01T00:00:00Z',
          link: 'https://docs.example/migrate-v2',
          successor: '/v2/users',
        },
      },
      v2: {},
    },
  });
  s.app.get('/v1/users/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  s.app.get('/v2/users/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  s.app.get('/v1/broken', async () => {
    throw new Error('x');
  });
  return s;
}

test('every answer of a deprecated version carries Deprecation, Sunset and Link', async () => {
  const s = service();
  for (const [url, status] of [
    ['/v1/users/1', 200],
    ['/v1/broken', 500],
    ['/v1/nowhere', 404],
  ] as const) {
    const res = await s.app.inject(url);
    assert.equal(res.statusCode, status, url);
    assert.equal(res.headers.deprecation, `@${Date.parse('2026-06-01T00:00:00Z') / 1000}`, url);
    assert.equal(res.headers.sunset, 'Fri, 01 Jan 2027 00:00:00 GMT', url);
    assert.equal(
      res.headers.link,
      '<https://docs.example/migrate-v2>; rel="deprecation", </v2/users>; rel="successor-version"',
      url,
    );
  }
});

test('a current version carries no deprecation headers', async () => {
  const res = await service().app.inject('/v2/users/1');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers.deprecation, undefined);
  assert.equal(res.headers.sunset, undefined);
});

test('without a since date, Deprecation is true', async () => {
  const s = defineService({
    name: 'old',
    logger: false,
    versions: { v1: { deprecated: { sunset: '2027-01-01', link: 'https://x.example/d' } } },
  });
  s.app.get('/v1/x', async () => ({}));
  const res = await s.app.inject('/v1/x');
  assert.equal(res.headers.deprecation, 'true');
});

test('a route under an undeclared version is refused at registration', () => {
  const s = service();
  assert.throws(() => s.app.get('/v3/users', async () => ({})), /version v3 is not declared/);
});

test('bad version options are refused at construction, naming the option', () => {
  assert.throws(
    () =>
      defineService({
        name: 'x',
        logger: false,
        versions: { v1: { deprecated: { sunset: 'soon', link: 'https://x' } } },
      }),
    /versions\.v1\.deprecated\.sunset/,
  );
  assert.throws(
    () =>
      defineService({
        name: 'x',
        logger: false,
        versions: { v1: { deprecated: { sunset: '2027-01-01', link: 'a b' } } },
      }),
    /versions\.v1\.deprecated\.link/,
  );
});
