import type { Instance } from '../registry/index.ts';
import { type Balancer, powerOfTwoChoices, roundRobin } from './balancer.ts';
import { Endpoint } from './endpoint.ts';
import type { ClientEvent } from './events.ts';
import { failure, isGatewayFailure } from './failure.ts';
import type { ResolvedOptions } from './options.ts';
import { recordOutcome } from './outlier.ts';

/**
 * The instances of one upstream service: kept in step with the registry, filtered by outlier
 * ejection and health checks, and chosen from by the balancer.
 */
export class Upstream {
  readonly #options: ResolvedOptions;
  readonly #emit: (event: ClientEvent) => void;
  readonly #balancer: Balancer;
  #endpoints: Endpoint[] = [];
  readonly #unwatch: () => void;
  #healthTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ResolvedOptions, emit: (event: ClientEvent) => void) {
    this.#options = options;
    this.#emit = emit;
    this.#balancer =
      options.balancer === 'round-robin'
        ? roundRobin()
        : powerOfTwoChoices(options.slowStartMs, options.ewmaDecayMs);
    this.#update(options.registry.instances(options.service), true);
    this.#unwatch = options.registry.watch(options.service, (instances) => this.#update(instances, false));
    if (options.healthCheck) {
      this.#healthTimer = setInterval(() => void this.#checkHealth(), options.healthCheck.intervalMs);
      this.#healthTimer.unref();
    }
  }

  get endpoints(): readonly Endpoint[] {
    return this.#endpoints;
  }

  /**
   * Picks the instance for the next attempt. Prefers instances that are neither ejected nor
   * failing health checks and that this request has not tried yet; when every instance is
   * excluded it falls back step by step (panic mode) rather than failing a call that might work.
   */
  pick(tried: ReadonlySet<string>): Endpoint {
    const now = performance.now();
    const all = this.#endpoints;
    if (all.length === 0) {
      throw failure(
        'UPSTREAM_UNAVAILABLE',
        `No instance of ${this.#options.service} is known`,
        'no_instance',
      );
    }
    this.#returnEjected(now);
    let candidates = all.filter((e) => e.healthy && !e.isEjected(now));
    if (candidates.length === 0) candidates = all.filter((e) => !e.isEjected(now));
    if (candidates.length === 0) candidates = all;
    if (tried.size > 0) {
      const fresh = candidates.filter((e) => !tried.has(e.id));
      if (fresh.length > 0) candidates = fresh;
    }
    return this.#balancer(candidates, now);
  }

  /** Feeds an attempt's outcome to outlier detection. */
  record(endpoint: Endpoint, kind: Parameters<typeof isGatewayFailure>[0]): void {
    const outlier = this.#options.outlier;
    // An attempt we cut short ourselves says nothing about the instance.
    if (!outlier || kind === 'deadline' || kind === 'cancelled') return;
    const now = performance.now();
    const decision = recordOutcome(endpoint, isGatewayFailure(kind), this.#endpoints, now, outlier);
    if (decision.eject) {
      this.#emit({
        type: 'ejected',
        service: this.#options.service,
        instance: endpoint.id,
        durationMs: decision.durationMs,
        ejections: endpoint.ejections,
      });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch();
    if (this.#healthTimer) clearInterval(this.#healthTimer);
    const endpoints = this.#endpoints;
    this.#endpoints = [];
    await Promise.all(endpoints.map((e) => e.pool.destroy()));
  }

  #returnEjected(now: number): void {
    for (const e of this.#endpoints) {
      if (e.ejectedUntil !== 0 && e.ejectedUntil <= now) {
        e.ejectedUntil = 0;
        e.returnedAt = now;
        e.consecutiveFailures = 0;
        // Back from an ejection: ramp it up again instead of sending it a full share at once, and
        // price it afresh: the latency it had while failing (a timeout) would keep it starved.
        e.warmingSince = now;
        e.forgetLatency();
        this.#emit({ type: 'returned', service: this.#options.service, instance: e.id });
      }
    }
  }

  #update(instances: readonly Instance[], initial: boolean): void {
    if (this.#closed) return;
    const byId = new Map(this.#endpoints.map((e) => [e.id, e]));
    const next: Endpoint[] = [];
    for (const instance of instances) {
      const existing = byId.get(instance.id);
      if (existing !== undefined && existing.instance.url === instance.url) {
        next.push(existing);
        byId.delete(instance.id);
      } else {
        // The first set is warm already: slow start is for instances that join later.
        next.push(new Endpoint(instance, this.#options, initial));
      }
    }
    this.#endpoints = next;
    // Gone from the registry: let in-flight attempts finish, then drop the sockets.
    for (const gone of byId.values()) void gone.pool.close().catch(() => {});
  }

  async #checkHealth(): Promise<void> {
    const hc = this.#options.healthCheck;
    if (!hc) return;
    await Promise.all(
      this.#endpoints.map(async (e) => {
        let healthy = false;
        try {
          const res = await e.pool.request({
            method: 'GET',
            path: hc.path,
            signal: AbortSignal.timeout(hc.timeoutMs),
          });
          await res.body.dump();
          healthy = res.statusCode === 200;
        } catch {
          healthy = false;
        }
        if (healthy !== e.healthy) {
          e.healthy = healthy;
          if (healthy) {
            // Back in rotation: warm up, and forget the latency it had while failing.
            e.warmingSince = performance.now();
            e.forgetLatency();
          }
          this.#emit({ type: 'health', service: this.#options.service, instance: e.id, healthy });
        }
      }),
    );
  }
}
