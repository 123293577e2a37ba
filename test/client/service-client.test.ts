import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createServiceClient } from '../../src/client/index.ts';
import { Deadline, runWithContext } from '../../src/context/index.ts';
import { WeftError } from '../../src/errors/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import { json, problem, startServer } from './http-fixtures.ts';

describe('service client basics', async () => {
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/v1/users/missing') return problem(res, 404, 'USER_NOT_FOUND');
    if (url.pathname === '/boom') return json(res, 500, { oops: true });
    if (url.pathname === '/echo')
      return json(res, 200, { query: Object.fromEntries(url.searchParams), headers: req.headers });
    return json(res, 200, { ok: true });
  });
  const registry = createStaticRegistry({ users: [server.url] });
  const client = createServiceClient({ service: 'users', registry, retry: false });
  after(async () => {
    await client.close();
    await server.close();
  });

  test('resolves a JSON body and builds the query string', async () => {
    const answer = await client.get<{ query: Record<string, string> }>('/echo', {
      query: { ids: 'a,b', n: 2, skip: undefined },
    });
    assert.deepEqual(answer.query, { ids: 'a,b', n: '2' });
  });

  test('keeps the upstream problem code (USER_NOT_FOUND 404)', async () => {
    const error = await client.get('/v1/users/missing').catch((e: unknown) => e);
    assert.ok(WeftError.is(error));
    assert.equal(error.code, 'USER_NOT_FOUND');
    assert.equal(error.status, 404);
  });

  test('maps a 5xx without a problem body to UPSTREAM_FAILED', async () => {
    await assert.rejects(client.get('/boom'), { code: 'UPSTREAM_FAILED', status: 502 });
  });

  test('forwards the request id, propagated headers and the remaining budget minus the margin', async () => {
    const context = {
      requestId: 'req-123',
      deadline: Deadline.after(300),
      signal: new AbortController().signal,
      propagate: { traceparent: '00-abc-def-01' },
    };
    const answer = await runWithContext(context, () =>
      client.get<{ headers: Record<string, string> }>('/echo'),
    );
    assert.equal(answer.headers['x-request-id'], 'req-123');
    assert.equal(answer.headers.traceparent, '00-abc-def-01');
    const budget = Number(answer.headers['x-weft-deadline-ms']);
    assert.ok(budget > 200 && budget <= 290, `budget ${budget}`);
  });

  test('does not send a call whose deadline has already passed', async () => {
    const before = server.seen.length;
    const context = {
      requestId: 'r',
      deadline: Deadline.after(0),
      signal: new AbortController().signal,
      propagate: {},
    };
    await assert.rejects(
      runWithContext(context, () => client.get('/echo')),
      { code: 'DEADLINE_EXCEEDED' },
    );
    await assert.rejects(client.get('/echo', { deadlineMs: 0 }), { code: 'DEADLINE_EXCEEDED' });
    assert.equal(server.seen.length, before);
  });

  test('rejects bad options naming the option and the value', () => {
    assert.throws(() => createServiceClient({ service: 'users', registry, timeoutMs: -1 }), {
      message: 'options.timeoutMs must be a number in 1..2147483647, got -1',
    });
    assert.throws(() => createServiceClient({ service: 'users', registry, balancer: 'random' as 'p2c' }), {
      message: `options.balancer must be 'p2c' or 'round-robin', got "random"`,
    });
  });
});

test('a refused connection is UPSTREAM_UNAVAILABLE', async () => {
  const server = await startServer();
  const url = server.url;
  await server.close();
  const client = createServiceClient({
    service: 'gone',
    registry: createStaticRegistry({ gone: [url] }),
    retry: false,
  });
  await assert.rejects(client.get('/'), { code: 'UPSTREAM_UNAVAILABLE' });
  await client.close();
});
