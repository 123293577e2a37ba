import { Counter, Gauge, Histogram, type Registry as PromRegistry } from 'prom-client';
import type { BreakerState } from './events.ts';
import type { ServiceClient } from './service-client.ts';

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

interface ClientMetrics {
  readonly requests: Counter<'upstream' | 'outcome'>;
  readonly attempts: Counter<'upstream' | 'instance' | 'outcome'>;
  readonly failures: Counter<'upstream' | 'instance' | 'kind'>;
  readonly retries: Counter<'upstream'>;
  readonly budgetExhausted: Counter<'upstream'>;
  readonly hedges: Counter<'upstream'>;
  readonly bulkheadRejected: Counter<'upstream'>;
  readonly breakerTransitions: Counter<'upstream' | 'state'>;
  readonly ejections: Counter<'upstream' | 'instance'>;
  readonly latency: Histogram<'upstream' | 'instance'>;
  readonly clients: Set<ServiceClient>;
}

// One set of metrics per prom-client registry, shared by every client registered on it.
const byRegistry = new WeakMap<PromRegistry, ClientMetrics>();

/**
 * Registers the client metrics on a prom-client registry and feeds them from `client`'s
 * events; gauges (breaker state, ejected, unhealthy, in flight) are read from `client.stats()` at scrape
 * time. Labelled per upstream and instance. Returns an unregister for this client.
 */
export function registerClientMetrics(registry: PromRegistry, client: ServiceClient): () => void {
  const m = metricsOf(registry);
  m.clients.add(client);
  const upstream = client.service;
  const off = client.onEvent((e) => {
    switch (e.type) {
      case 'request':
        m.requests.inc({ upstream, outcome: e.ok ? 'ok' : (e.code ?? 'error') });
        if (!e.ok && (e.kind === 'circuit_open' || e.kind === 'bulkhead_full' || e.kind === 'no_instance')) {
          m.failures.inc({ upstream, instance: '', kind: e.kind });
        }
        break;
      case 'attempt':
        m.attempts.inc({ upstream, instance: e.instance, outcome: e.ok ? 'ok' : (e.kind ?? 'error') });
        if (!e.ok && e.kind !== undefined) m.failures.inc({ upstream, instance: e.instance, kind: e.kind });
        m.latency.observe({ upstream, instance: e.instance }, e.durationMs / 1000);
        break;
      case 'retry':
        m.retries.inc({ upstream });
        break;
      case 'budget-exhausted':
        m.budgetExhausted.inc({ upstream });
        break;
      case 'hedge':
        m.hedges.inc({ upstream });
        break;
      case 'bulkhead-rejected':
        m.bulkheadRejected.inc({ upstream });
        break;
      case 'breaker':
        m.breakerTransitions.inc({ upstream, state: e.state });
        break;
      case 'ejected':
        m.ejections.inc({ upstream, instance: e.instance });
        break;
    }
  });
  return () => {
    off();
    m.clients.delete(client);
  };
}

function metricsOf(registry: PromRegistry): ClientMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const clients = new Set<ServiceClient>();
  const m: ClientMetrics = {
    clients,
    requests: new Counter({
      name: 'weft_client_requests_total',
      help: 'Requests made through the client, by final outcome (ok or error code)',
      labelNames: ['upstream', 'outcome'],
      registers,
    }),
    attempts: new Counter({
      name: 'weft_client_attempts_total',
      help: 'Attempts sent to an instance, by outcome (ok or failure kind)',
      labelNames: ['upstream', 'instance', 'outcome'],
      registers,
    }),
    failures: new Counter({
      name: 'weft_client_failures_total',
      help: 'Failures by kind (connect, reset, timeout, http_5xx, circuit_open, ...)',
      labelNames: ['upstream', 'instance', 'kind'],
      registers,
    }),
    retries: new Counter({
      name: 'weft_client_retries_total',
      help: 'Retries sent',
      labelNames: ['upstream'],
      registers,
    }),
    budgetExhausted: new Counter({
      name: 'weft_client_retry_budget_exhausted_total',
      help: 'Retries refused because the retry budget was empty',
      labelNames: ['upstream'],
      registers,
    }),
    hedges: new Counter({
      name: 'weft_client_hedges_total',
      help: 'Hedged second attempts sent',
      labelNames: ['upstream'],
      registers,
    }),
    bulkheadRejected: new Counter({
      name: 'weft_client_bulkhead_rejected_total',
      help: 'Calls refused because the bulkhead queue was full',
      labelNames: ['upstream'],
      registers,
    }),
    breakerTransitions: new Counter({
      name: 'weft_client_breaker_transitions_total',
      help: 'Circuit breaker state changes, by new state',
      labelNames: ['upstream', 'state'],
      registers,
    }),
    ejections: new Counter({
      name: 'weft_client_ejections_total',
      help: 'Instances ejected by outlier detection',
      labelNames: ['upstream', 'instance'],
      registers,
    }),
    latency: new Histogram({
      name: 'weft_client_attempt_duration_seconds',
      help: 'Attempt latency, answered or failed',
      labelNames: ['upstream', 'instance'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
  new Gauge({
    name: 'weft_client_breaker_state',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    labelNames: ['upstream'],
    registers,
    collect() {
      this.reset();
      for (const c of clients) this.set({ upstream: c.service }, BREAKER_VALUE[c.stats().breaker]);
    },
  });
  new Gauge({
    name: 'weft_client_in_flight',
    help: 'Attempts in flight per instance',
    labelNames: ['upstream', 'instance'],
    registers,
    collect() {
      this.reset();
      for (const c of clients) {
        for (const i of c.stats().instances) this.set({ upstream: c.service, instance: i.id }, i.inFlight);
      }
    },
  });
  new Gauge({
    name: 'weft_client_ejected',
    help: '1 while an instance is ejected by outlier detection',
    labelNames: ['upstream', 'instance'],
    registers,
    collect() {
      this.reset();
      for (const c of clients) {
        for (const i of c.stats().instances)
          this.set({ upstream: c.service, instance: i.id }, i.ejected ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'weft_client_unhealthy',
    help: '1 while an instance fails its active health check (out of rotation)',
    labelNames: ['upstream', 'instance'],
    registers,
    collect() {
      this.reset();
      for (const c of clients) {
        for (const i of c.stats().instances)
          this.set({ upstream: c.service, instance: i.id }, i.healthy ? 0 : 1);
      }
    },
  });
  byRegistry.set(registry, m);
  return m;
}
