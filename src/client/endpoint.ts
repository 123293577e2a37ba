import { Pool } from 'undici';
import type { Instance } from '../registry/index.ts';
import type { ResolvedOptions } from './options.ts';

/**
 * One upstream instance as the client sees it: its connection pool and what the balancer and
 * outlier detection know about it. Plain mutable state; the decisions live in balancer.ts and
 * outlier.ts.
 */
export class Endpoint {
  readonly instance: Instance;
  readonly pool: Pool;
  /** Attempts sent and not yet answered. */
  inFlight = 0;
  /** When it last answered anything (performance.now()). */
  #lastAnswerAt = 0;
  /** When its in-flight count last rose from zero. */
  #busySince = 0;
  /** Peak-sensitive EWMA of attempt latency in ms; undefined until the first answer. */
  ewmaMs: number | undefined;
  #ewmaAt = 0;
  /** performance.now() from which slow start ramps this instance up; undefined: no warm-up. */
  warmingSince: number | undefined;
  /** Gateway failures in a row (connect, reset, timeout, 5xx); reset by any other answer. */
  consecutiveFailures = 0;
  /** performance.now() until which the instance is ejected; 0 when it is not. */
  ejectedUntil = 0;
  /** How many times it has been ejected (multiplies the ejection time). */
  ejections = 0;
  /** When it last came back from an ejection. */
  returnedAt = 0;
  /** Result of the last active health check (true until a check says otherwise). */
  healthy = true;

  constructor(instance: Instance, options: ResolvedOptions, warm: boolean) {
    this.instance = instance;
    this.pool = new Pool(instance.url, {
      connections: options.connections,
      pipelining: options.pipelining,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      connectTimeout: options.connectTimeoutMs,
      // The client's own timers bound each attempt; undici's would race them with other codes.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    if (!warm) this.warmingSince = performance.now();
  }

  get id(): string {
    return this.instance.id;
  }

  /** Folds one latency sample in. Rises at once to a slower sample (peak EWMA), decays over `decayMs`. */
  observe(latencyMs: number, decayMs: number): void {
    const now = performance.now();
    const current = this.latencyAt(now, decayMs);
    if (current === undefined || latencyMs > current) {
      this.ewmaMs = latencyMs;
    } else {
      const w = Math.exp(-(now - this.#ewmaAt) / decayMs);
      this.ewmaMs = current + latencyMs * (1 - w);
    }
    this.#ewmaAt = now;
  }

  /**
   * The latency estimate the balancer prices this instance at: the EWMA decayed towards zero for
   * the time since its last sample (Finagle's peak EWMA). Without the decay, one slow answer (a
   * timeout, a GC pause) would price an instance out for good: the balancer would never send it
   * the request whose answer could lower its estimate again.
   */
  latencyAt(now: number, decayMs: number): number | undefined {
    if (this.ewmaMs === undefined) return undefined;
    return this.ewmaMs * Math.exp(-Math.max(0, now - this.#ewmaAt) / decayMs);
  }

  /** An attempt to this instance starts. */
  begin(now: number): void {
    if (this.inFlight === 0) this.#busySince = now;
    this.inFlight++;
  }

  /** An attempt ends; `answered` when an HTTP answer came back (of any status). */
  end(now: number, answered: boolean): void {
    this.inFlight--;
    if (answered) this.#lastAnswerAt = now;
  }

  /**
   * How long it has had attempts outstanding without answering any (0 when idle). A busy healthy
   * instance answers all the time, so this stays near its latency; one that stopped answering
   * (blackholed, stuck in GC) grows it at once, long before its first timeout is counted.
   */
  silenceAt(now: number): number {
    return this.inFlight === 0 ? 0 : now - Math.max(this.#lastAnswerAt, this.#busySince);
  }

  /** Forgets the latency estimate: it describes the instance before it left the rotation, not now. */
  forgetLatency(): void {
    this.ewmaMs = undefined;
  }

  /** Share of full traffic during slow start: 0.1 at first, 1 after `slowStartMs`. */
  warmth(now: number, slowStartMs: number): number {
    if (this.warmingSince === undefined || slowStartMs === 0) return 1;
    const ramp = (now - this.warmingSince) / slowStartMs;
    if (ramp >= 1) {
      this.warmingSince = undefined;
      return 1;
    }
    return Math.max(0.1, ramp);
  }

  isEjected(now: number): boolean {
    return this.ejectedUntil > now;
  }
}
