/**
 * A token bucket that bounds retries per upstream: every request deposits `ratio` tokens, time
 * deposits `minPerSecond` tokens a second, a retry takes one. Over any period T the retries are
 * therefore at most ratio × requests + minPerSecond × (T + 1 s), whatever fails. The bucket
 * holds at most one second of the floor plus a hundred requests' worth, so a long healthy spell
 * cannot bank a burst of retries for the next outage.
 */
export class TokenBudget {
  readonly #ratio: number;
  readonly #perSecond: number;
  readonly #capacity: number;
  #tokens: number;
  #at = performance.now();

  constructor(ratio: number, minPerSecond: number) {
    this.#ratio = ratio;
    this.#perSecond = minPerSecond;
    this.#capacity = minPerSecond + ratio * 100;
    this.#tokens = minPerSecond;
  }

  /** Called once per request (not per attempt). */
  deposit(): void {
    this.#refill();
    this.#tokens = Math.min(this.#capacity, this.#tokens + this.#ratio);
  }

  /** Takes a token if there is one. */
  tryWithdraw(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refill(): void {
    const now = performance.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#at) / 1000) * this.#perSecond);
    this.#at = now;
  }
}
