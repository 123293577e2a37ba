import type { Instance, Registration, Registry } from './registry.ts';
import { validateInstance } from './registry.ts';

/** Entries not refreshed for this long are gone: three missed heartbeats at the default rate. */
export const DEFAULT_REGISTRY_TTL_MS = 15_000;
/** Default bucket; one per deployment. */
export const DEFAULT_REGISTRY_BUCKET = 'weft_registry';
/** How long to wait for the bucket's current contents before giving up on start-up. */
const SNAPSHOT_TIMEOUT_MS = 5_000;

/** Options of {@link createNatsKvRegistry}. */
export interface NatsKvRegistryOptions {
  /** NATS server URL(s), comma-separated. */
  servers: string;
  bucket?: string;
  /** An instance not heard from for this long is dropped (bucket max age and the local sweep). */
  ttlMs?: number;
  /** How often a registered instance re-announces itself; default a third of the TTL. */
  heartbeatMs?: number;
}

interface Seen {
  readonly instance: Instance;
  /** performance.now() of the last announcement. */
  lastSeen: number;
}

/**
 * The distributed registry: a NATS KV bucket, key `<service>.<id>`, value the instance as JSON.
 * A registered instance re-puts its key every heartbeat; clean deregistration deletes the key,
 * which every watcher sees at once. A killed instance stops heartbeating: the bucket's max age
 * removes its entry, but JetStream (2.9) tells watchers nothing about expiry, so each registry
 * also drops entries it has not seen refreshed within the TTL. The NATS packages are loaded only
 * when this registry is created.
 */
export async function createNatsKvRegistry(options: NatsKvRegistryOptions): Promise<Registry> {
  const { servers } = options;
  if (typeof servers !== 'string' || servers === '') {
    throw new TypeError(`options.servers must be a NATS URL, got ${JSON.stringify(servers)}`);
  }
  const bucketName = options.bucket ?? DEFAULT_REGISTRY_BUCKET;
  if (!/^[A-Za-z0-9_-]+$/.test(bucketName)) {
    throw new TypeError(`options.bucket must match [A-Za-z0-9_-]+, got ${JSON.stringify(bucketName)}`);
  }
  const ttlMs = positive(options.ttlMs, 'ttlMs', DEFAULT_REGISTRY_TTL_MS);
  const heartbeatMs = positive(options.heartbeatMs, 'heartbeatMs', Math.max(1, Math.floor(ttlMs / 3)));
  if (heartbeatMs >= ttlMs) {
    throw new TypeError(`options.heartbeatMs must be below ttlMs (${ttlMs}), got ${heartbeatMs}`);
  }

  const [{ connect }, { Kvm }] = await Promise.all([
    import('@nats-io/transport-node'),
    import('@nats-io/kv'),
  ]);
  const nc = await connect({ servers: servers.split(',') });
  const kv = await new Kvm(nc).create(bucketName, { ttl: ttlMs, history: 1 });

  const table = new Map<string, Map<string, Seen>>(); // service -> id -> entry
  const views = new Map<string, readonly Instance[]>();
  const listeners = new Map<string, Set<(instances: readonly Instance[]) => void>>();
  const none: readonly Instance[] = Object.freeze([]);

  const publish = (service: string) => {
    const list = Object.freeze([...(table.get(service)?.values() ?? [])].map((s) => s.instance));
    const before = views.get(service) ?? none;
    views.set(service, list);
    if (sameSet(before, list)) return;
    for (const listener of listeners.get(service) ?? []) listener(list);
  };

  const apply = (key: string, operation: string, value: () => unknown, created: Date) => {
    const dot = key.indexOf('.');
    if (dot <= 0) return;
    const service = key.slice(0, dot);
    const id = key.slice(dot + 1);
    let byId = table.get(service);
    if (operation !== 'PUT') {
      if (byId?.delete(id)) publish(service);
      return;
    }
    let instance: Instance;
    try {
      instance = validateInstance(value() as Instance);
    } catch {
      return; // not ours to interpret
    }
    // History replayed at start carries server time; live updates count from now. Clamped so a
    // skewed clock can neither expire an entry early nor keep it beyond one TTL.
    const age = Math.min(Math.max(0, Date.now() - created.getTime()), ttlMs);
    if (!byId) {
      byId = new Map();
      table.set(service, byId);
    }
    const existing = byId.get(id);
    const lastSeen = performance.now() - age;
    byId.set(id, { instance, lastSeen });
    if (existing === undefined || existing.instance.url !== instance.url) publish(service);
    sweepBy(lastSeen + ttlMs);
  };

  // The sweep runs when the earliest entry expires, not on a fixed beat: a fixed beat would let a
  // killed instance stay up to one beat past its TTL.
  let sweepAt = Number.POSITIVE_INFINITY;
  let sweepTimer: NodeJS.Timeout | undefined;
  let sweeping = true;
  const sweepBy = (at: number) => {
    if (!sweeping || at >= sweepAt) return;
    clearTimeout(sweepTimer);
    sweepAt = at;
    sweepTimer = setTimeout(sweep, Math.max(0, at - performance.now()));
    sweepTimer.unref();
  };
  const sweep = () => {
    sweepAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [service, byId] of table) {
      let changed = false;
      for (const [id, seen] of byId) {
        const expiresAt = seen.lastSeen + ttlMs;
        if (expiresAt <= now) changed = byId.delete(id) || changed;
        else next = Math.min(next, expiresAt);
      }
      if (changed) publish(service);
    }
    sweepBy(next);
  };

  let ready!: () => void;
  const snapshot = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const status = await kv.status();
  if (status.values === 0) ready();
  const watcher = await kv.watch({ key: '>' });
  void (async () => {
    for await (const entry of watcher) {
      apply(entry.key, entry.operation, () => entry.json(), entry.created);
      if (entry.delta === 0) ready();
    }
  })();
  const snapshotTimer = setTimeout(ready, SNAPSHOT_TIMEOUT_MS);
  await snapshot;
  clearTimeout(snapshotTimer);

  const owned = new Set<Registration>();
  let closed = false;

  return {
    instances: (service) => views.get(service) ?? none,
    watch(service, listener) {
      let set = listeners.get(service);
      if (!set) {
        set = new Set();
        listeners.set(service, set);
      }
      set.add(listener);
      return () => void set.delete(listener);
    },
    async register(input) {
      if (closed) throw new Error('the registry is closed');
      const instance = validateInstance(input);
      const key = `${instance.service}.${instance.id}`;
      const payload = JSON.stringify(instance);
      await kv.put(key, payload);
      const beat = setInterval(() => void kv.put(key, payload).catch(() => {}), heartbeatMs);
      beat.unref();
      let done = false;
      const registration: Registration = {
        async deregister() {
          if (done) return;
          done = true;
          clearInterval(beat);
          owned.delete(registration);
          await kv.delete(key);
        },
      };
      owned.add(registration);
      return registration;
    },
    async close() {
      if (closed) return;
      closed = true;
      sweeping = false;
      clearTimeout(sweepTimer);
      await Promise.allSettled([...owned].map((r) => r.deregister()));
      watcher.stop();
      await nc.drain();
    },
  };
}

function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`options.${name} must be a positive integer (ms), got ${JSON.stringify(value)}`);
  }
  return value;
}

function sameSet(a: readonly Instance[], b: readonly Instance[]): boolean {
  if (a.length !== b.length) return false;
  const urls = new Map(a.map((i) => [i.id, i.url]));
  return b.every((i) => urls.get(i.id) === i.url);
}
