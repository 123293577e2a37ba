export type { BreakerState, ClientEvent, ClientEventListener, FailureKind } from './events.ts';
export { registerClientMetrics } from './metrics.ts';
export type {
  BreakerOptions,
  BulkheadOptions,
  HealthCheckOptions,
  HedgeOptions,
  OutlierOptions,
  RetryOptions,
  ServiceClientOptions,
} from './options.ts';
export {
  type ClientStats,
  createServiceClient,
  type GetOptions,
  type InstanceStats,
  RETRY_LAYER_HEADER,
  type ServiceClient,
  type ServiceRequest,
  type ServiceResponse,
} from './service-client.ts';
