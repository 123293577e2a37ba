import { currentContext, type Deadline, type RequestContext, runWithContext } from '../context/index.ts';
import { WeftError } from '../errors/index.ts';

/** Owners answer batch reads of at most 100 ids (DESIGN.md), so one call carries at most that many. */
export const DEFAULT_MAX_BATCH_SIZE = 100;

/** Options of a {@link Batcher}. */
export interface BatcherOptions<V> {
  /** Loads many ids in one upstream call; ids absent from the answer are missing. */
  loadMany(ids: readonly string[]): Promise<ReadonlyMap<string, V>>;
  /** Most ids in one call. */
  maxBatchSize?: number;
}

interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

interface Window<V> {
  waiters: Map<string, Waiter<V>[]>;
  contexts: RequestContext[];
}

/**
 * Collects the ids that concurrent requests ask for and loads them in one batch call.
 *
 * Scheduling: the first `load()` of a window schedules the flush with `setImmediate`, which runs
 * after the event loop has handled every socket that was readable in this turn. So ids asked for
 * while handling one request land in one call (no N+1), and so do ids asked for by all the
 * requests that arrived together — under load, many inbound requests share one upstream call.
 *
 * A shared call must not fail one caller because of another's deadline: it runs under the
 * latest deadline of its callers, and each caller stops waiting on its own signal.
 */
export class Batcher<V> {
  readonly #loadMany: (ids: readonly string[]) => Promise<ReadonlyMap<string, V>>;
  readonly #maxBatchSize: number;
  #window: Window<V> | undefined;

  constructor(options: BatcherOptions<V>) {
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new TypeError(`maxBatchSize must be a positive integer, got ${options.maxBatchSize}`);
    }
    this.#loadMany = options.loadMany;
    this.#maxBatchSize = maxBatchSize;
  }

  /** The value of `id`, or undefined when the owner says it does not exist. */
  load(id: string): Promise<V | undefined> {
    let window = this.#window;
    if (window === undefined) {
      window = { waiters: new Map(), contexts: [] };
      this.#window = window;
      setImmediate(() => this.#flush(window!));
    }
    const context = currentContext();
    if (context !== undefined && !window.contexts.includes(context)) window.contexts.push(context);
    const promise = new Promise<V | undefined>((resolve, reject) => {
      const waiter = { resolve, reject };
      const list = window.waiters.get(id);
      if (list === undefined) window.waiters.set(id, [waiter]);
      else list.push(waiter);
    });
    return context === undefined ? promise : abortable(promise, context.signal);
  }

  /** Values of many ids at once (one window); missing ids map to undefined. */
  async loadAll(ids: readonly string[]): Promise<Map<string, V | undefined>> {
    const values = await Promise.all(ids.map((id) => this.load(id)));
    return new Map(ids.map((id, i) => [id, values[i]]));
  }

  #flush(window: Window<V>): void {
    this.#window = undefined;
    const ids = [...window.waiters.keys()];
    const context = sharedContext(window.contexts);
    for (let start = 0; start < ids.length; start += this.#maxBatchSize) {
      const chunk = ids.slice(start, start + this.#maxBatchSize);
      const call = () => this.#loadMany(chunk);
      const pending = context === undefined ? call() : runWithContext(context, call);
      pending.then(
        (found) => {
          for (const id of chunk) for (const waiter of window.waiters.get(id)!) waiter.resolve(found.get(id));
        },
        (error: unknown) => {
          for (const id of chunk) for (const waiter of window.waiters.get(id)!) waiter.reject(error);
        },
      );
    }
  }
}

/** The context a shared call runs under: the first caller's id and headers, the latest deadline. */
function sharedContext(contexts: readonly RequestContext[]): RequestContext | undefined {
  if (contexts.length <= 1) return contexts[0];
  let latest: Deadline | undefined;
  for (const context of contexts) {
    if (context.deadline === undefined) {
      latest = undefined;
      break;
    }
    if (latest === undefined || context.deadline.expiresAt > latest.expiresAt) latest = context.deadline;
  }
  const first = contexts[0];
  return {
    requestId: first.requestId,
    propagate: first.propagate,
    deadline: latest,
    signal: latest?.signal ?? AbortSignal.any(contexts.map((c) => c.signal)),
  };
}

/** Rejects with DEADLINE_EXCEEDED as soon as `signal` aborts, leaving the shared call running. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function aborted(): WeftError {
  return new WeftError('DEADLINE_EXCEEDED', 'The request deadline passed while waiting for a batch');
}
