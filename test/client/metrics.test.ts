import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createServiceClient, registerClientMetrics } from '../../src/client/index.ts';
import { createStaticRegistry } from '../../src/registry/index.ts';
import { json, startServer } from './http-fixtures.ts';

test('client metrics count requests, attempts, retries and failures per upstream and instance', async () => {
  const server = await startServer((req, res) => json(res, req.url === '/fail' ? 503 : 200, {}));
  const prom = new Registry();
  const client = createServiceClient({
    service: 'users',
    registry: createStaticRegistry({ users: [server.url] }),
    retry: { backoffBaseMs: 1 },
  });
  const unregister = registerClientMetrics(prom, client);
  try {
    await client.get('/');
    await client.get('/fail').catch(() => {});
    const text = await prom.metrics();
    assert.match(text, /weft_client_requests_total\{upstream="users",outcome="ok"\} 1/);
    assert.match(text, /weft_client_requests_total\{upstream="users",outcome="UPSTREAM_FAILED"\} 1/);
    assert.match(
      text,
      /weft_client_attempts_total\{upstream="users",instance="users-1",outcome="http_5xx"\} 3/,
    );
    assert.match(text, /weft_client_retries_total\{upstream="users"\} 2/);
    assert.match(text, /weft_client_breaker_state\{upstream="users"\} 0/);
    assert.match(text, /weft_client_in_flight\{upstream="users",instance="users-1"\} 0/);
    assert.match(text, /weft_client_attempt_duration_seconds_count\{upstream="users",instance="users-1"\} 4/);
  } finally {
    unregister();
    await client.close();
    await server.close();
  }
});
