/** One reachable copy of a service. */
export interface Instance {
  /** Stable id, unique within the service (for example `users-1`). */
  readonly id: string;
  /** Base URL, origin only (for example `http://127.0.0.1:3001`). */
  readonly url: string;
  /** The service this instance belongs to. */
  readonly service: string;
  /** Free-form labels (zone, version); never interpreted by weft. */
  readonly meta?: Readonly<Record<string, string>>;
}

/** Handle of a registration; deregistering is idempotent. */
export interface Registration {
  /** Removes the instance from the registry at once. */
  deregister(): Promise<void>;
}

/**
 * The discovery seam: which instances of a service exist now, and when that changes.
 * `instances()` is synchronous because it sits on the hot path of every call; implementations
 * keep a local copy up to date in the background.
 */
export interface Registry {
  /** Current instances of a service; synchronous (hot path). */
  instances(service: string): readonly Instance[];
  /** Calls listener on every change of the service's set; returns an unsubscribe. */
  watch(service: string, listener: (instances: readonly Instance[]) => void): () => void;
  /** Announces an instance (no-op for static); the returned handle deregisters it. */
  register(instance: Instance): Promise<Registration>;
  /** Stops background work; deregisters what this registry registered. */
  close(): Promise<void>;
}

/** Checks an instance handed to `register()`; the message names the bad field. */
export function validateInstance(instance: Instance): Instance {
  if (typeof instance !== 'object' || instance === null) throw new TypeError('instance must be an object');
  if (typeof instance.service !== 'string' || !/^[A-Za-z0-9_-]+$/.test(instance.service)) {
    throw new TypeError(
      `instance.service must match [A-Za-z0-9_-]+, got ${JSON.stringify(instance.service)}`,
    );
  }
  if (typeof instance.id !== 'string' || !/^[A-Za-z0-9_-]+$/.test(instance.id)) {
    throw new TypeError(`instance.id must match [A-Za-z0-9_-]+, got ${JSON.stringify(instance.id)}`);
  }
  originOf(instance.url, 'instance.url');
  return Object.freeze({ ...instance, url: originOf(instance.url, 'instance.url') });
}

/** Normalises a base URL to its origin; throws naming `what` when it is not http(s). */
export function originOf(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${what} must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`${what} must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return parsed.origin;
}
