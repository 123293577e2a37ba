import { createNatsKvRegistry, createStaticRegistry, type Registry } from '../../src/registry/index.ts';
import type { Service } from '../../src/service/index.ts';
import type { ProcessSettings } from './settings.ts';

/** The registry the settings ask for: the static WEFT_UPSTREAM_* lists, or the live NATS KV bucket. */
export function openRegistry(settings: ProcessSettings): Promise<Registry> {
  return settings.registry === 'nats'
    ? createNatsKvRegistry({ servers: settings.natsUrl, bucket: settings.registryBucket })
    : Promise.resolve(createStaticRegistry(settings.upstreams));
}

/**
 * Announces a listening instance in the registry; it leaves as close() begins, before the drain,
 * so callers stop choosing it while its in-flight requests finish.
 */
export async function announce(service: Service, settings: ProcessSettings, url: string): Promise<void> {
  if (settings.registry !== 'nats') return;
  const registry = await openRegistry(settings);
  const registration = await registry.register({ id: settings.instance, service: service.name, url });
  service.beforeClose(async () => {
    await registration.deregister();
    await registry.close();
  });
}
