import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { Type } from 'typebox';
import { WeftError } from '../errors/index.ts';

/** How long /readyz waits for the readiness check: a probe must answer well inside its own timeout. */
export const READINESS_TIMEOUT_MS = 1_000;

const StatusSchema = Type.Object({ status: Type.String() });

/** What the health routes need to know about the service. */
export interface HealthState {
  readonly closing: boolean;
}

/**
 * Adds `/healthz` (200 while the process lives), `/readyz` (the readiness check, bounded; 503
 * NOT_READY when it fails, 503 SHUTTING_DOWN once close began) and `/metrics` (Prometheus text
 * from the service's own registry). All three are hidden from OpenAPI.
 */
export function addHealthRoutes(
  app: FastifyInstance,
  state: HealthState,
  registry: Registry,
  readiness: ((signal: AbortSignal) => Promise<void>) | undefined,
): void {
  const ok = { status: 'ok' } as const;
  const ready = { status: 'ready' } as const;
  app.get('/healthz', { schema: { hide: true, response: { 200: StatusSchema } } }, async () => ok);
  app.get('/readyz', { schema: { hide: true, response: { 200: StatusSchema } } }, async (request) => {
    if (state.closing) throw new WeftError('SHUTTING_DOWN', 'The service is shutting down');
    if (readiness !== undefined) {
      try {
        await runBounded(readiness, READINESS_TIMEOUT_MS);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        throw new WeftError('NOT_READY', 'The service is not ready', { cause: error });
      }
      if (state.closing) throw new WeftError('SHUTTING_DOWN', 'The service is shutting down');
    }
    return ready;
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

function runBounded(check: (signal: AbortSignal) => Promise<void>, timeoutMs: number): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  return new Promise<void>((resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    check(signal).then(resolve, reject);
  });
}
