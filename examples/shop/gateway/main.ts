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
const registry = await openRegistry(settings);
const upstreams = {
  users: createServiceClient({ service: 'users', registry }),
  orders: createServiceClient({ service: 'orders', registry }),
  inventory: createServiceClient({ service: 'inventory', registry }),
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
