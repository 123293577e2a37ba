import { createServiceClient, registerClientMetrics } from '../../../src/client/index.ts';
import { openRegistry } from '../discovery.ts';
import { readSettings } from '../settings.ts';
import { createGatewayService } from './gateway-service.ts';

const settings = readSettings('gateway');
if (settings.registry === 'static') {
  for (const name of ['users', 'orders', 'inventory']) {
    if (!settings.upstreams[name]?.length)
      throw new TypeError(`WEFT_UPSTREAM_${name.toUpperCase()} is not set`);
  }
}
/**
 * Active health checks of every owner instance on /readyz: an instance that accepts connections
 * but never answers sends no errors for passive ejection to count, and once the balancer prices
 * it out it gets no requests that could fail; the check takes it out of rotation within a second
 * or two and brings it back as soon as it answers again.
 */
const HEALTH_CHECK_INTERVAL_MS = 1_000;

const registry = await openRegistry(settings);
const clientOf = (service: string) =>
  createServiceClient({ service, registry, healthCheck: { intervalMs: HEALTH_CHECK_INTERVAL_MS } });
const upstreams = {
  users: clientOf('users'),
  orders: clientOf('orders'),
  inventory: clientOf('inventory'),
};
const service = createGatewayService({
  upstreams,
  instance: settings.instance,
  logLevel: settings.logLevel,
  maxInflightRequests: settings.maxInflightRequests,
});
// Per upstream and instance: requests, attempts, failures by kind, retries, breaker, ejections.
for (const client of Object.values(upstreams)) registerClientMetrics(service.metrics, client);
service.onClose(async () => {
  await Promise.all(Object.values(upstreams).map((client) => client.close()));
  await registry.close();
});
await service.listen({ port: settings.port, host: settings.host });
service.closeOnSignals();
