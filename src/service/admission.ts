import { WeftError } from '../errors/index.ts';

/** Paths that must answer even when the service sheds load: probes and scrapes. */
const ALWAYS_ADMITTED = ['/healthz', '/readyz', '/metrics'];

/**
 * Inbound load shedding: at most `maxInflight` requests are handled at once; one more is refused
 * at once with 503 OVERLOADED and `Retry-After`, never queued. Queuing past capacity only makes
 * every admitted request slower (the latency of all grows with the queue); refusing fast keeps
 * admitted requests within their deadlines and tells callers to back off.
 */
export class Admission {
  readonly maxInflight: number;
  #inflight = 0;
  #shed = 0;

  constructor(maxInflight: number) {
    this.maxInflight = maxInflight;
  }

  /** Requests being handled now. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Requests refused so far. */
  get shed(): number {
    return this.#shed;
  }

  /**
   * Admits the request or answers the error to refuse it with. An admitted request is released
   * when its response closes (finished or aborted), exactly once.
   */
  admit(url: string, response: NodeJS.EventEmitter): WeftError | undefined {
    if (this.maxInflight === 0 || ALWAYS_ADMITTED.some((path) => url.startsWith(path))) return undefined;
    if (this.#inflight >= this.maxInflight) {
      this.#shed++;
      return new WeftError('OVERLOADED', `More than ${this.maxInflight} requests in flight`, {
        headers: { 'retry-after': '1' },
      });
    }
    this.#inflight++;
    response.once('close', () => {
      this.#inflight--;
    });
    return undefined;
  }
}
