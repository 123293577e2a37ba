export {
  createNatsKvRegistry,
  DEFAULT_REGISTRY_BUCKET,
  DEFAULT_REGISTRY_TTL_MS,
  type NatsKvRegistryOptions,
} from './nats-kv-registry.ts';
export type { Instance, Registration, Registry } from './registry.ts';
export { createStaticRegistry } from './static-registry.ts';
