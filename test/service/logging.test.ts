import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineService } from '../../src/service/index.ts';
import { capturingLogger } from './helpers.ts';

test('one JSON line per request with requestId, route, status and durationMs', async () => {
  const capture = capturingLogger();
  const s = defineService({ name: 'logs', logger: capture.logger });
  s.app.get('/users/:id', async () => ({ ok: true }));
  await s.app.inject({ url: '/users/7', headers: { 'x-request-id': 'log-1' } });
  const lines = capture.lines.filter((line) => line.msg === 'request');
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line.requestId, 'log-1');
  assert.equal(line.route, '/users/:id');
  assert.equal(line.method, 'GET');
  assert.equal(line.status, 200);
  assert.equal(typeof line.durationMs, 'number');
});

test('credentials never reach the log, even when a handler logs the headers', async () => {
  const capture = capturingLogger('debug');
  const s = defineService({ name: 'logs', logger: capture.logger });
  s.app.get('/echo', async (request) => {
    request.log.info({ headers: request.headers }, 'headers');
    request.log.info({ req: { headers: request.headers } }, 'nested');
    return { ok: true };
  });
  await s.app.inject({
    url: '/echo',
    headers: { authorization: 'Bearer tok-secret', cookie: 'sid=cookie-secret', 'x-api-key': 'key-secret' },
  });
  assert.ok(capture.lines.some((line) => line.msg === 'headers'));
  assert.doesNotMatch(capture.text(), /tok-secret|cookie-secret|key-secret/);
  assert.match(capture.text(), /\[redacted\]/);
});

test('logger: false is silent', async () => {
  const s = defineService({ name: 'quiet', logger: false });
  assert.equal(s.log.isLevelEnabled('info'), false);
});
