import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** Extra time the signal handler allows after the drain bound, for onClose hooks, before exit(1). */
export const SIGNAL_EXIT_GRACE_MS = 5_000;

/**
 * A service's life after start: `close()` stops accepting connections, lets in-flight requests
 * finish for at most `timeoutMs`, then cuts the rest, then runs the onClose hooks once, last
 * registered first (so a store opened first is closed last).
 */
export class Lifecycle {
  /** True from the moment close() is called. */
  closing = false;
  readonly #app: FastifyInstance;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #hooks: Array<() => Promise<void> | void> = [];
  readonly #beforeHooks: Array<() => Promise<void> | void> = [];
  #closed: Promise<void> | undefined;
  #signalsInstalled = false;

  constructor(app: FastifyInstance, log: Logger, timeoutMs: number) {
    this.#app = app;
    this.#log = log;
    this.#timeoutMs = timeoutMs;
  }

  onClose(fn: () => Promise<void> | void): void {
    if (typeof fn !== 'function') throw new TypeError(`onClose: expected a function, got ${typeof fn}`);
    if (this.closing) throw new Error('onClose: the service is already closing');
    this.#hooks.push(fn);
  }

  /** Runs `fn` as close() begins, before the drain: e.g. leave discovery so no new traffic comes. */
  beforeClose(fn: () => Promise<void> | void): void {
    if (typeof fn !== 'function') throw new TypeError(`beforeClose: expected a function, got ${typeof fn}`);
    if (this.closing) throw new Error('beforeClose: the service is already closing');
    this.#beforeHooks.push(fn);
  }

  /** Idempotent: every call returns the same promise. */
  close(): Promise<void> {
    this.#closed ??= this.#run();
    return this.#closed;
  }

  async #run(): Promise<void> {
    this.closing = true;
    const started = performance.now();
    for (const hook of this.#beforeHooks) {
      try {
        await hook();
      } catch (error) {
        this.#log.error({ err: error }, 'shutdown: a beforeClose hook failed');
      }
    }
    const drained = this.#app.close();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(resolve, this.#timeoutMs, true);
      timer.unref();
    });
    const cut = await Promise.race([drained.then(() => false), timedOut]);
    clearTimeout(timer);
    if (cut) {
      this.#log.warn(
        { timeoutMs: this.#timeoutMs },
        'shutdown: in-flight requests outlived the drain; cutting them',
      );
      this.#app.server.closeAllConnections();
      await drained;
    }
    const errors: unknown[] = [];
    for (const hook of this.#hooks.toReversed()) {
      try {
        await hook();
      } catch (error) {
        errors.push(error);
        this.#log.error({ err: error }, 'shutdown: an onClose hook failed');
      }
    }
    this.#log.info({ durationMs: Math.round(performance.now() - started) }, 'closed');
    if (errors.length > 0) throw new AggregateError(errors, 'some onClose hooks failed');
  }

  /** SIGTERM/SIGINT → close() → exit(0); a second signal, a failure or overrunning the bound → exit(1). */
  closeOnSignals(): void {
    if (this.#signalsInstalled) return;
    this.#signalsInstalled = true;
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.closing) {
        this.#log.warn({ signal }, 'second signal while closing; exiting now');
        process.exit(1);
      }
      this.#log.info({ signal }, 'signal received; closing');
      setTimeout(() => {
        this.#log.error('shutdown overran its bound; exiting');
        process.exit(1);
      }, this.#timeoutMs + SIGNAL_EXIT_GRACE_MS).unref();
      this.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
}
