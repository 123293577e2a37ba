import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatLogLine, linePrefix } from '../../src/cli/log-format.ts';

describe('log lines', () => {
  test('shows a pino record as level, message and its own fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: 1,
      pid: 9,
      hostname: 'h',
      msg: 'slow upstream',
      upstream: 'users',
      ms: 812,
    });
    assert.equal(formatLogLine(line, false), 'WARN  slow upstream upstream=users ms=812');
  });

  test('shortens request and error objects', () => {
    const line = JSON.stringify({
      level: 50,
      msg: 'failed',
      req: { method: 'GET', url: '/v1/users/x', headers: {} },
      res: { statusCode: 500 },
      err: { type: 'Error', message: 'boom', stack: '...' },
    });
    assert.equal(formatLogLine(line, false), 'ERROR failed req=GET /v1/users/x res=500 err="boom"');
  });

  test('keeps lines that are not JSON objects as they are', () => {
    assert.equal(formatLogLine('seeding users 500/1000', false), 'seeding users 500/1000');
    assert.equal(formatLogLine('{not json', false), '{not json');
    assert.equal(formatLogLine('[1,2]', false), '[1,2]');
  });

  test('pads the prefix, and colours it only when asked', () => {
    assert.equal(linePrefix('users-1', 9, 0, false), 'users-1   | ');
    assert.ok(linePrefix('users-1', 9, 0, true).startsWith('\x1b[36musers-1  \x1b[0m'));
  });
});
