// Child process for the registry tests: registers one instance, then waits to be killed.
import { createNatsKvRegistry } from '../../src/registry/index.ts';

const [servers, bucket, ttlMs, heartbeatMs, id, url] = process.argv.slice(2);
const registry = await createNatsKvRegistry({
  servers,
  bucket,
  ttlMs: Number(ttlMs),
  heartbeatMs: Number(heartbeatMs),
});
await registry.register({ id, url, service: 'orders' });
console.log('registered');
setInterval(() => {}, 1_000);
