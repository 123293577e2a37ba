import type { Instance, Registration, Registry } from './registry.ts';
import { originOf } from './registry.ts';

/**
 * A registry fixed at start-up, from config (`WEFT_UPSTREAM_<NAME>`): service name to base
 * URLs. Instance ids are `<service>-<n>` in the order given. `register()` is accepted and does
 * nothing, so code written against the NATS KV registry runs unchanged.
 */
export function createStaticRegistry(services: Record<string, readonly string[]>): Registry {
  if (typeof services !== 'object' || services === null) {
    throw new TypeError(`services must be an object of service name to URLs, got ${String(services)}`);
  }
  const table = new Map<string, readonly Instance[]>();
  for (const [service, urls] of Object.entries(services)) {
    if (!Array.isArray(urls)) throw new TypeError(`services.${service} must be an array of URLs`);
    const list = urls.map((url, i) =>
      Object.freeze({ id: `${service}-${i + 1}`, url: originOf(url, `services.${service}[${i}]`), service }),
    );
    table.set(service, Object.freeze(list));
  }
  const none: readonly Instance[] = Object.freeze([]);
  const noop: Registration = { deregister: async () => {} };
  return {
    instances: (service) => table.get(service) ?? none,
    watch: () => () => {},
    register: async () => noop,
    close: async () => {},
  };
}
