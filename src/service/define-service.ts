import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
  type RouteOptions,
} from 'fastify';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import {
  DEADLINE_HEADER,
  Deadline,
  REQUEST_ID_HEADER,
  type RequestContext,
  runWithContext,
} from '../context/index.ts';
import { WeftError } from '../errors/index.ts';
import { createLogger } from '../observe/logger.ts';
import { createHttpMetrics } from '../observe/metrics.ts';
import { Admission } from './admission.ts';
import { ifNoneMatchHits } from './etag.ts';
import { addHealthRoutes } from './health.ts';
import { installJsonParser } from './json-parser.ts';
import { addOpenApi } from './openapi.ts';
import { type ResolvedServiceOptions, resolveServiceOptions, type ServiceOptions } from './options.ts';
import { createErrorHandler, problemResponse } from './problems.ts';
import { ServiceContext } from './service-context.ts';
import { Lifecycle } from './shutdown.ts';
import { closeObjectSchemas } from './strict-schema.ts';
import { compileVersions, deprecationFor, versionOf } from './versions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's context (id, deadline, signal, headers to propagate); also `currentContext()` in handlers. */
    ctx: RequestContext;
  }
}

/** Server keep-alive: above common client pool idle timeouts, so the client, not the server, ends idle sockets. */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/** Time allowed to receive a whole request (headers and body): slow-loris protection. */
export const REQUEST_RECEIVE_TIMEOUT_MS = 30_000;
/** A request id a caller may choose: ≤ 128 characters of [A-Za-z0-9._-]; anything else is replaced. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
/** The `route` metric label of requests that matched no route (bounded cardinality). */
export const UNMATCHED_ROUTE = 'unmatched';

/** The Fastify instance of a service, with the TypeBox type provider applied. */
export type ServiceApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A defined service: add routes on `app`, then `listen()`; `close()` drains and releases. */
export interface Service {
  readonly name: string;
  readonly app: ServiceApp;
  /** This service's own registry, so several services can live in one process. */
  readonly metrics: Registry;
  readonly log: Logger;
  /** Runs `fn` during close(), after the server drained; last registered runs first. */
  onClose(fn: () => Promise<void> | void): void;
  /** Runs `fn` as close() begins, before the drain (e.g. deregister from discovery). */
  beforeClose(fn: () => Promise<void> | void): void;
  listen(options: { port: number; host?: string }): Promise<{ port: number; url: string }>;
  /** Graceful: stop accepting, drain in-flight requests (bounded), run onClose hooks. Idempotent. */
  close(): Promise<void>;
  /** SIGTERM/SIGINT → close() → exit(0); a second signal or overrunning the bound → exit(1). */
  closeOnSignals(): void;
}

function genReqId(raw: IncomingMessage): string {
  const given = raw.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

/**
 * Defines a service on Fastify: problem+json errors, hardened JSON bodies, request context with
 * deadlines, API versions, ETags, OpenAPI 3.1, health, metrics, logs and graceful shutdown.
 * Routes are ordinary Fastify routes with TypeBox schemas, added to `service.app`.
 *
 * Per request the kit costs three hooks (onRequest, onSend, onResponse) and one closure (the
 * handler runs inside runWithContext); everything else is prepared per route at registration.
 */
export function defineService(options: ServiceOptions): Service {
  const config = resolveServiceOptions(options);
  const deprecated = compileVersions(config.versions);
  const log =
    config.logger === false
      ? createLogger({ name: config.name, enabled: false })
      : (config.logger ??
        createLogger({ name: config.name, instance: config.instance, level: config.logLevel }));
  const registry = new Registry();
  registry.setDefaultLabels({
    service: config.name,
    ...(config.instance ? { instance: config.instance } : {}),
  });
  const metrics = createHttpMetrics(registry);
  const admission = new Admission(config.maxInflightRequests);
  const shedCounter = new Counter({
    name: 'http_requests_shed_total',
    help: 'Requests refused with 503 OVERLOADED because maxInflightRequests were in flight',
    registers: [registry],
  });
  new Gauge({
    name: 'http_requests_in_flight',
    help: 'Requests being handled now (probes and scrapes not counted)',
    registers: [registry],
    collect() {
      this.set(admission.inflight);
    },
  });

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // The kit writes its own one line per request (onResponse), with route and duration.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    genReqId,
    bodyLimit: config.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: REQUEST_RECEIVE_TIMEOUT_MS,
    ajv: {
      // Reject unknown body fields (closeObjectSchemas adds additionalProperties: false) instead
      // of Fastify's default of silently removing them.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const lifecycle = new Lifecycle(app as unknown as FastifyInstance, log, config.shutdownTimeoutMs);
  const base = app as unknown as FastifyInstance;

  base.decorateRequest('ctx', null as unknown as RequestContext);
  installJsonParser(base, config.maxJsonDepth, config.bodyLimitBytes);
  base.setErrorHandler(createErrorHandler(config.errors));
  base.setNotFoundHandler(notFound);
  base.addHook('onRoute', prepareRoute(config));
  addOpenApi(base, { title: config.name, version: config.version });

  base.addHook('onRequest', function weftOnRequest(request, reply, done) {
    if (lifecycle.closing) {
      reply.header('connection', 'close');
      done(new WeftError('SHUTTING_DOWN', 'The service is shutting down'));
      return;
    }
    const refused = admission.admit(request.url, reply.raw);
    if (refused !== undefined) {
      shedCounter.inc();
      done(refused);
      return;
    }
    const deadline = deadlineOf(request, config);
    if (WeftError.is(deadline)) {
      done(deadline);
      return;
    }
    request.ctx = new ServiceContext(request.id, deadline, request.headers, reply);
    if (deadline?.expired) {
      done(new WeftError('DEADLINE_EXCEEDED', 'The deadline passed before the request was handled'));
      return;
    }
    done();
  });

  base.addHook('onSend', function weftOnSend(request, reply, payload, done) {
    reply.header(REQUEST_ID_HEADER, request.id);
    const ctx = request.ctx as ServiceContext | null;
    if (ctx !== null) ctx.answering = true;
    if (lifecycle.closing) reply.header('connection', 'close');
    if (deprecated.size > 0) {
      const headers = deprecationFor(request.url, deprecated);
      if (headers !== undefined) reply.headers(headers);
    }
    if (reply.statusCode === 200 && (request.method === 'GET' || request.method === 'HEAD')) {
      const condition = request.headers['if-none-match'];
      if (condition !== undefined) {
        const tag = reply.getHeader('etag');
        if (typeof tag === 'string' && ifNoneMatchHits(condition, tag)) {
          reply.code(304);
          done(null, null);
          return;
        }
      }
    }
    done(null, payload);
  });

  base.addHook('onResponse', function weftOnResponse(request, reply, done) {
    (request.ctx as ServiceContext | null)?.dispose();
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const status = reply.statusCode;
    const ms = reply.elapsedTime;
    metrics.observe(request.method, route, status, ms / 1000);
    // Probes and scrapes arrive every few seconds from every supervisor and scraper: debug only.
    const level = PROBE_ROUTES.has(route) ? 'debug' : 'info';
    request.log[level](
      { method: request.method, route, status, durationMs: Math.round(ms * 100) / 100 },
      'request',
    );
    done();
  });

  base.addHook('onRequestAbort', function weftOnRequestAbort(request, done) {
    (request.ctx as ServiceContext | null)?.clientGone();
    done();
  });

  addHealthRoutes(base, lifecycle, registry, config.readiness);

  return Object.freeze({
    name: config.name,
    app,
    metrics: registry,
    log,
    onClose: (fn: () => Promise<void> | void) => lifecycle.onClose(fn),
    beforeClose: (fn: () => Promise<void> | void) => lifecycle.beforeClose(fn),
    async listen({ port, host = '127.0.0.1' }: { port: number; host?: string }) {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      return { port: address.port, url: `http://${shown}:${address.port}` };
    },
    close: () => lifecycle.close(),
    closeOnSignals: () => lifecycle.closeOnSignals(),
  });
}

function deadlineOf(
  request: FastifyRequest,
  config: ResolvedServiceOptions,
): Deadline | WeftError | undefined {
  const raw = request.headers[DEADLINE_HEADER];
  if (raw === undefined) {
    // A route may set its own default (`config: { deadlineMs }`), checked when it was added.
    const routeMs = (request.routeOptions.config as RouteDeadline | undefined)?.deadlineMs;
    const ms = routeMs ?? config.defaultDeadlineMs;
    return ms > 0 ? Deadline.after(ms) : undefined;
  }
  // A budget of 0 ms is a malformed request, not a timeout: nothing could ever answer it.
  if (typeof raw !== 'string' || !/^[1-9]\d{0,8}$/.test(raw)) {
    return new WeftError('VALIDATION_FAILED', `${DEADLINE_HEADER} must be a whole number of milliseconds`, {
      errors: [{ path: `headers/${DEADLINE_HEADER}`, code: 'BAD_DEADLINE', detail: 'expected 1..999999999' }],
    });
  }
  return Deadline.after(Math.min(Number(raw), config.maxDeadlineMs));
}

/** Per-route policy a route may declare in its Fastify `config`. */
export interface RouteDeadline {
  /** The route's deadline when the caller sends none (1..maxDeadlineMs). */
  deadlineMs?: number;
}

function notFound(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?', 1)[0].slice(0, 200);
  reply.send(new WeftError('ROUTE_NOT_FOUND', `No route for ${request.method} ${path}`));
}

/**
 * The onRoute hook: per route, once. Closes body schemas, documents problem answers, checks the
 * route's API version is declared, and wraps the handler so it runs inside its RequestContext.
 */
function prepareRoute(config: ResolvedServiceOptions) {
  return function weftOnRoute(route: RouteOptions): void {
    const routeMs = (route.config as RouteDeadline | undefined)?.deadlineMs;
    if (
      routeMs !== undefined &&
      !(Number.isSafeInteger(routeMs) && routeMs >= 1 && routeMs <= config.maxDeadlineMs)
    ) {
      throw new TypeError(
        `route ${route.method} ${route.url}: config.deadlineMs must be an integer from 1 to ${config.maxDeadlineMs}, got ${String(routeMs)}`,
      );
    }
    const schema = { ...(route.schema ?? {}) } as Record<string, unknown>;
    if (schema.body !== undefined) schema.body = closeObjectSchemas(schema.body);
    const response = { ...((schema.response as Record<string, unknown> | undefined) ?? {}) };
    if (!('4xx' in response)) response['4xx'] = problemResponse;
    if (!('5xx' in response)) response['5xx'] = problemResponse;
    schema.response = response;
    route.schema = schema;
    if (config.versions !== undefined) {
      const version = versionOf(route.url);
      if (version !== undefined && !(version in config.versions)) {
        throw new TypeError(
          `${route.method} ${route.url}: version ${version} is not declared in the versions option`,
        );
      }
    }
    route.handler = withContext(route.handler);
  };
}

const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

type Handler = RouteOptions['handler'];

function withContext(handler: Handler): Handler {
  return function contextHandler(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const ctx = request.ctx as ServiceContext;
    if (ctx.timedOut) return undefined; // the deadline already answered 504
    // Spent while waiting in hooks or behind a busy event loop: do no work nobody waits for.
    if (ctx.deadline?.expired)
      throw new WeftError('DEADLINE_EXCEEDED', 'The deadline passed before the request was handled');
    const result = runWithContext(ctx, () => handler.call(this, request, reply));
    if (ctx.deadline === undefined || !isThenable(result)) return result;
    return settleUnlessTimedOut(result, ctx);
  } as Handler;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Passes the handler's outcome on, unless the deadline already answered 504: then the late value
 * or error is dropped (logged at debug), and the promise Fastify waits on never settles, so
 * Fastify does not try to send a second answer. Nothing references it afterwards; it is collected.
 */
async function settleUnlessTimedOut(pending: PromiseLike<unknown>, ctx: ServiceContext): Promise<unknown> {
  try {
    const value = await pending;
    if (!ctx.timedOut) return value;
  } catch (error) {
    if (!ctx.timedOut) throw error;
  }
  return new Promise(() => {});
}
