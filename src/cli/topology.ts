import type { ConfigOf, Settings } from '../config/index.ts';

/** One process `weft start` runs: one instance of one service. */
export interface ProcessSpec {
  /** Service name, shared by its instances (`users`). */
  readonly service: string;
  /** Unique instance id (`users-1`); prefixes its log lines. */
  readonly instance: string;
  /** Script run with the supervisor's own Node (`examples/shop/users/main.ts`), relative to cwd. */
  readonly entry: string;
  /** Port it listens on; readiness is polled at `http://<host>:<port><readyPath>`. */
  readonly port: number;
  /** Host to poll; default 127.0.0.1 (a child bound to 0.0.0.0 answers there too). */
  readonly host?: string;
  /** Environment added to the supervisor's own. */
  readonly env: Readonly<Record<string, string>>;
  /** Services whose instances must all be ready before any instance of this one starts. */
  readonly after?: readonly string[];
  /** Readiness path; default `/readyz`. */
  readonly readyPath?: string;
  /** Extra Node flags, before the entry (`--max-old-space-size=256`). */
  readonly nodeArgs?: readonly string[];
}

/** One step of a start: its processes start together, and the next step waits until all are ready. */
export interface Stage {
  /** Depth in the `after` graph: 0 for services without dependencies. Stops run deepest first. */
  readonly level: number;
  readonly specs: readonly ProcessSpec[];
}

/**
 * What a topology module (`--topology <file>`) exports: the settings it adds to `weft start`'s own,
 * the function turning the loaded configuration into processes, and the lines to print once all
 * are ready.
 */
export interface TopologyModule<T extends Settings = Settings> {
  readonly settings?: T;
  topology(config: ConfigOf<T> & Readonly<Record<string, unknown>>): readonly ProcessSpec[];
  hints?(specs: readonly ProcessSpec[]): readonly string[];
}

/**
 * Orders a topology for starting. Services are levelled by their `after` lists (a service sits one
 * level above the deepest service it waits for); within a level, the first instance of each
 * service starts alone, because it migrates and seeds the store, and its siblings start once it is
 * ready. Invalid topologies (duplicate instance, unknown or cyclic `after`) are a TypeError.
 */
export function planStages(specs: readonly ProcessSpec[]): Stage[] {
  const byService = new Map<string, ProcessSpec[]>();
  const instances = new Set<string>();
  for (const spec of specs) {
    if (instances.has(spec.instance))
      throw new TypeError(`topology: instance ${spec.instance} appears twice`);
    instances.add(spec.instance);
    const list = byService.get(spec.service) ?? [];
    list.push(spec);
    byService.set(spec.service, list);
  }
  const after = new Map<string, readonly string[]>();
  for (const [service, list] of byService) {
    const deps = [...new Set(list.flatMap((spec) => spec.after ?? []))];
    for (const dep of deps) {
      if (!byService.has(dep))
        throw new TypeError(`topology: ${service} starts after ${dep}, which has no process`);
    }
    after.set(service, deps);
  }

  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (service: string, path: string[]): number => {
    const known = levels.get(service);
    if (known !== undefined) return known;
    if (visiting.has(service)) {
      throw new TypeError(`topology: services wait for each other: ${[...path, service].join(' -> ')}`);
    }
    visiting.add(service);
    const level = Math.max(-1, ...after.get(service)!.map((dep) => levelOf(dep, [...path, service]))) + 1;
    visiting.delete(service);
    levels.set(service, level);
    return level;
  };
  for (const service of byService.keys()) levelOf(service, []);

  const stages: Stage[] = [];
  const depth = Math.max(-1, ...levels.values());
  for (let level = 0; level <= depth; level++) {
    const services = [...byService.keys()].filter((service) => levels.get(service) === level);
    const first = services.map((service) => byService.get(service)![0]);
    const rest = services.flatMap((service) => byService.get(service)!.slice(1));
    stages.push({ level, specs: first });
    if (rest.length > 0) stages.push({ level, specs: rest });
  }
  return stages;
}
