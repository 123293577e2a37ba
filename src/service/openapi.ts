import { fastifySwagger } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ProblemSchema } from './problems.ts';

/** Where the interactive documentation lives. */
export const DOCS_PREFIX = '/docs';

/**
 * Serves OpenAPI 3.1 at `/openapi.json`, generated from the route schemas, and the docs page at
 * `/docs`. The swagger plugin is applied to the root instance directly instead of through
 * `register()`: it collects routes with an onRoute hook, and a registered plugin only loads at
 * `ready()`, after the application has already added its routes to `service.app`.
 */
export function addOpenApi(
  app: FastifyInstance,
  info: { title: string; version: string; description?: string },
) {
  app.addSchema(ProblemSchema);
  fastifySwagger(
    app,
    {
      openapi: {
        openapi: '3.1.0',
        info,
      },
      refResolver: {
        // Shared schemas keep their $id as the component name (`WeftProblem`).
        buildLocalReference: (json, _baseUri, _fragment, i) =>
          typeof json.$id === 'string' ? json.$id : `def-${i}`,
      },
    },
    (error) => {
      if (error) throw error;
    },
  );
  // Tell Fastify the swagger plugin is present, so swagger-ui's dependency check passes. These
  // are the markers fastify-plugin sets on a plugin function (Fastify's plugin-meta protocol).
  app.register(
    Object.assign((_instance: FastifyInstance, _options: unknown, done: () => void) => done(), {
      [Symbol.for('skip-override')]: true,
      [Symbol.for('plugin-meta')]: { name: '@fastify/swagger' },
    }),
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX });
}
