/** Header carrying the caller's remaining time budget in milliseconds (relative, so clock skew does not matter). */
export const DEADLINE_HEADER = 'x-weft-deadline-ms';

/**
 * A point in time after which nobody waits for the answer. It is relative to this process's
 * monotonic clock; on the wire it travels as the remaining budget in ms.
 */
export class Deadline {
  /** performance.now() value at which the deadline passes. */
  readonly expiresAt: number;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;

  constructor(expiresAt: number) {
    this.expiresAt = expiresAt;
    const remaining = expiresAt - performance.now();
    if (remaining <= 0) {
      this.#controller.abort(deadlineReason());
    } else {
      // Unref: a pending deadline must never keep the process alive.
      this.#timer = setTimeout(() => this.#controller.abort(deadlineReason()), remaining);
      this.#timer.unref();
    }
  }

  /** A deadline `ms` milliseconds from now. */
  static after(ms: number): Deadline {
    return new Deadline(performance.now() + ms);
  }

  /** Parses the header value; undefined when absent or not a non-negative number. */
  static fromHeader(value: string | string[] | undefined): Deadline | undefined {
    if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return undefined;
    return Deadline.after(Number(value));
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.expiresAt - performance.now());
  }

  get expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /** Aborts when the deadline passes. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The earlier of this deadline and `ms` from now. */
  min(ms: number): Deadline {
    const other = performance.now() + ms;
    return other < this.expiresAt ? new Deadline(other) : this;
  }

  /** Releases the timer early (the request finished). */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }
}

function deadlineReason(): Error {
  const error = new Error('deadline exceeded');
  error.name = 'TimeoutError';
  return error;
}
