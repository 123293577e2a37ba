import { failure } from './failure.ts';
import type { Policy } from './policy.ts';

/** Retry-After (seconds) sent with BULKHEAD_FULL: a queue that is full now rarely drains faster. */
const BULKHEAD_RETRY_AFTER_S = 1;

/**
 * Limits the calls in flight to one upstream and the calls waiting for a slot. A call that finds
 * the queue full fails at once with BULKHEAD_FULL (503, Retry-After); a queued call leaves the
 * queue as soon as its deadline passes or its caller goes, so the queue never holds dead work.
 * (cockatiel's BulkheadPolicy keeps an aborted waiter queued until its turn comes, which lets a
 * deadline-expired call occupy a queue slot; hence this small one.)
 */
export class Bulkhead {
  readonly #maxConcurrent: number;
  readonly #maxQueue: number;
  #active = 0;
  readonly #queue: { grant: () => void; abandon: () => void }[] = [];

  constructor(maxConcurrent: number, maxQueue: number) {
    this.#maxConcurrent = maxConcurrent;
    this.#maxQueue = maxQueue;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** The policy; `onReject` is told of each overflow. */
  policy(service: string, onReject: () => void): Policy {
    return (next) => async (call) => {
      await this.#acquire(call.signal, service, onReject);
      try {
        return await next(call);
      } finally {
        this.#release();
      }
    };
  }

  #acquire(signal: AbortSignal, service: string, onReject: () => void): Promise<void> | undefined {
    if (this.#active < this.#maxConcurrent) {
      this.#active++;
      return undefined;
    }
    if (this.#queue.length >= this.#maxQueue) {
      onReject();
      throw failure('BULKHEAD_FULL', `Too many calls to ${service} are in flight`, 'bulkhead_full', {
        headers: { 'retry-after': String(BULKHEAD_RETRY_AFTER_S) },
      });
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal.removeEventListener('abort', entry.abandon);
          this.#active++;
          resolve();
        },
        abandon: () => {
          const i = this.#queue.indexOf(entry);
          if (i >= 0) this.#queue.splice(i, 1);
          reject(
            failure('DEADLINE_EXCEEDED', `The deadline passed while waiting to call ${service}`, 'deadline'),
          );
        },
      };
      signal.addEventListener('abort', entry.abandon, { once: true });
      this.#queue.push(entry);
    });
  }

  #release(): void {
    this.#active--;
    const next = this.#queue.shift();
    if (next) next.grant();
  }
}
