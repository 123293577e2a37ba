import type { WeftError } from '../errors/index.ts';
import type { ClientEvent } from './events.ts';
import type { LatencyWindow } from './latency-window.ts';
import type { Call, Policy } from './policy.ts';
import { TokenBudget } from './retry-budget.ts';

/** Abort reason given to the slower of two hedged attempts. */
export const HEDGE_LOST = Symbol('hedge lost');

/**
 * Hedged reads: when a GET or HEAD asked for it has not answered after the upstream's observed
 * p95, a second attempt goes to another instance and the first answer wins; the other is
 * cancelled. A token bucket filled by 10% of hedge-eligible requests (and nothing else) bounds
 * the extra load to that share. Without enough samples for a p95, or with one instance, no
 * hedge is sent.
 */
export function hedgePolicy(
  options: { maxRatio: number; minSamples: number },
  latency: LatencyWindow,
  instanceCount: () => number,
  emit: (event: ClientEvent) => void,
): Policy {
  const budget = new TokenBudget(options.maxRatio, 0);
  return (next) => (call) => {
    if (!call.hedge || (call.method !== 'GET' && call.method !== 'HEAD')) return next(call);
    budget.deposit();
    const p95 = latency.count >= options.minSamples ? latency.quantile(0.95) : undefined;
    if (p95 === undefined || instanceCount() < 2) return next(call);
    return new Promise((resolve, reject) => {
      const controllers: AbortController[] = [];
      let settled = false;
      let running = 0;
      let firstError: unknown;
      const launch = (hedged: boolean) => {
        const controller = new AbortController();
        controllers.push(controller);
        running++;
        const child: Call = { ...call, hedged, signal: AbortSignal.any([call.signal, controller.signal]) };
        next(child).then(
          (response) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            for (const c of controllers) if (c !== controller) c.abort(HEDGE_LOST);
            resolve(response);
          },
          (error: WeftError) => {
            running--;
            firstError ??= error;
            // The other attempt may still answer; fail only when none is left to wait for. A
            // primary failing before the hedge delay fails at once: retrying is the retry
            // layer's job, not this one's.
            if (settled || running > 0) return;
            settled = true;
            clearTimeout(timer);
            reject(firstError);
          },
        );
      };
      const timer = setTimeout(() => {
        if (settled || !budget.tryWithdraw()) return;
        emit({ type: 'hedge', service: call.service });
        launch(true);
      }, p95);
      timer.unref();
      launch(false);
    });
  };
}
