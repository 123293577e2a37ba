/**
 * The last `size` latencies of one upstream, for its percentiles. The percentile is computed
 * again only every `size / 10` samples: sorting a thousand numbers every hundred answers costs
 * little, and hedging needs a recent estimate, not an exact one.
 */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #count = 0;
  #next = 0;
  #sinceSort = 0;
  #cached = new Map<number, number>();

  constructor(size = 1000) {
    this.#samples = new Float64Array(size);
  }

  get count(): number {
    return this.#count;
  }

  add(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#count < this.#samples.length) this.#count++;
    if (++this.#sinceSort >= Math.max(1, this.#samples.length / 10)) this.#cached.clear();
  }

  /** The q-quantile (0..1) of the window; undefined while it is empty. */
  quantile(q: number): number | undefined {
    if (this.#count === 0) return undefined;
    const hit = this.#cached.get(q);
    if (hit !== undefined) return hit;
    const sorted = this.#samples.slice(0, this.#count).sort();
    const value = sorted[Math.min(this.#count - 1, Math.floor(q * this.#count))];
    this.#cached.set(q, value);
    this.#sinceSort = 0;
    return value;
  }
}
