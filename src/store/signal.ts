import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { WeftError } from '../errors/index.ts';

/**
 * The signal of the transaction being opened, for engines whose BEGIN waits (SQLite's write lock).
 * Kysely's driver API has no room for a signal, so `transaction()` hands it down this way.
 */
export const beginSignal = new AsyncLocalStorage<AbortSignal | undefined>();

/** Throws a WeftError DEADLINE_EXCEEDED when the signal has aborted; the abort reason is the cause. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new WeftError('DEADLINE_EXCEEDED', 'The store call was aborted', {
      cause: signal.reason,
    });
  }
}

/**
 * Checks the signal as each query is compiled, which kysely does at the start of `execute()`:
 * an aborted caller never starts another query. A query already running is left to finish
 * (node:sqlite is synchronous; a pg query is short and its transaction rolls back anyway).
 */
export class SignalPlugin implements KyselyPlugin {
  readonly #signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    throwIfAborted(this.#signal);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
