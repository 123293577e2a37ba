export type { Instance, Registration, Registry } from './registry.ts';
export { createStaticRegistry } from './static-registry.ts';
