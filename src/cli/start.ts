import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type ConfigOf,
  defineSettings,
  loadConfig,
  mergeSettings,
  type Settings,
  settingsHelp,
} from '../config/index.ts';
import { WeftError } from '../errors/index.ts';
import { Supervisor } from './supervisor.ts';
import type { ProcessSpec, TopologyModule } from './topology.ts';

/** `weft start`'s own settings; a topology module adds its own (ports, instance counts). */
export const startSettings = defineSettings({
  host: { type: 'string', default: '127.0.0.1', doc: 'interface every process listens on' },
  store: {
    type: 'enum',
    values: ['sqlite', 'postgres'],
    default: 'sqlite',
    doc: 'where services keep their data',
  },
  databaseUrl: { type: 'string', doc: 'PostgreSQL URL (each service uses its own schema)' },
  dataDir: { type: 'string', default: './data', doc: 'directory of the SQLite files' },
  logLevel: {
    type: 'enum',
    values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
    default: 'info',
    doc: 'log level of every process',
  },
  seed: { type: 'boolean', default: true, doc: 'seed the demo data on first run' },
  readyTimeoutMs: {
    type: 'integer',
    default: 60_000,
    min: 1,
    doc: 'how long a start step may take to become ready',
  },
  stopTimeoutMs: {
    type: 'integer',
    default: 10_000,
    min: 1,
    doc: 'how long a process may drain after SIGTERM before SIGKILL',
  },
});

/** The configuration every topology receives. */
export type StartConfig = ConfigOf<typeof startSettings>;

/** Where `weft start` reads and writes; injectable so that it can be tested in process. */
export interface StartIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

const DEFAULT_TOPOLOGY = 'examples/shop/topology.ts';
/** The shop that ships with weft, for a `weft` run outside the repository. */
const BUNDLED_TOPOLOGY = fileURLToPath(new URL('../../examples/shop/topology.ts', import.meta.url));

/**
 * `weft start`: loads the configuration, asks the topology module for the processes, supervises
 * them until SIGINT or SIGTERM, and answers the exit code (0 after a clean stop, 1 when the
 * processes could not start, 2 for bad usage or configuration).
 */
export async function runStart(argv: readonly string[], io: StartIo = defaultIo()): Promise<number> {
  const { topologyPath, rest } = takeTopology(argv, io);
  const help = rest.includes('--help') || rest.includes('-h');
  let module: TopologyModule;
  try {
    module = (await import(pathToFileURL(topologyPath).href)) as TopologyModule;
    if (typeof module.topology !== 'function') throw new TypeError(`${topologyPath} exports no topology()`);
  } catch (error) {
    if (help) {
      io.stdout.write(usage(startSettings, topologyPath, (error as Error).message));
      return 0;
    }
    io.stderr.write(`weft start: cannot load topology ${topologyPath}: ${(error as Error).message}\n`);
    return 2;
  }
  const settings =
    module.settings === undefined ? startSettings : mergeSettings(startSettings, module.settings);
  if (help) {
    io.stdout.write(usage(settings, topologyPath));
    return 0;
  }

  let config: ConfigOf<Settings>;
  let specs: readonly ProcessSpec[];
  try {
    config = await loadConfig({ settings, argv: rest, env: io.env, cwd: io.cwd });
    if (config.store === 'postgres' && config.databaseUrl === undefined) {
      throw new WeftError(
        'VALIDATION_FAILED',
        'store postgres needs a database URL (--database-url or WEFT_DATABASE_URL)',
      );
    }
    specs = module.topology(config);
  } catch (error) {
    io.stderr.write(`weft start: ${(error as Error).message}\n`);
    return 2;
  }
  const missing = specs.filter((spec) => !existsSync(resolve(io.cwd, spec.entry)));
  if (missing.length > 0) {
    io.stderr.write(
      `weft start: missing entry files: ${[...new Set(missing.map((s) => s.entry))].join(', ')}\n`,
    );
    return 1;
  }

  const supervisor = new Supervisor(specs, {
    cwd: io.cwd,
    env: io.env,
    output: io.stdout,
    readyTimeoutMs: config.readyTimeoutMs as number,
    stopTimeoutMs: config.stopTimeoutMs as number,
  });
  let signals = 0;
  const stopped = Promise.withResolvers<void>();
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      io.stdout.write(`\nweft: ${signal}, stopping (again to force)\n`);
      void supervisor.stop().then(stopped.resolve);
    } else {
      for (const p of supervisor.processes()) if (p.pid !== undefined) supervisor.kill(p.instance, 'SIGKILL');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const started = performance.now();
    try {
      await supervisor.start();
    } catch (error) {
      if (WeftError.is(error) && error.code === 'SHUTTING_DOWN') return signals > 1 ? 130 : 0;
      io.stderr.write(`weft start: ${(error as Error).message}\n`);
      return 1;
    }
    io.stdout.write(banner(specs, module.hints?.(specs) ?? [], performance.now() - started));
    await stopped.promise;
    return signals > 1 ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function banner(specs: readonly ProcessSpec[], hints: readonly string[], ms: number): string {
  const services = [...new Set(specs.map((spec) => spec.service))];
  const width = Math.max(...services.map((s) => s.length));
  const lines = [
    '',
    `weft: all ${specs.length} processes ready in ${(ms / 1000).toFixed(1)} s`,
    ...services.map((service) => {
      const urls = specs
        .filter((spec) => spec.service === service)
        .map((spec) => `http://${spec.host ?? '127.0.0.1'}:${spec.port}`);
      return `  ${service.padEnd(width)}  ${urls.join('  ')}`;
    }),
  ];
  if (hints.length > 0) lines.push('', 'try:', ...hints.map((hint) => `  ${hint}`));
  lines.push('', 'Ctrl-C stops everything.', '');
  return `${lines.join('\n')}\n`;
}

function usage(settings: Settings, topologyPath: string, topologyError?: string): string {
  const lines = [
    'Usage: weft start [options]',
    '',
    'Starts one process per service instance, waits until each is ready, prefixes their logs,',
    'restarts crashed ones with backoff and stops them all on Ctrl-C.',
    'Each option can also be set in weft.config.json (by its camelCase key) or by its env variable;',
    'flags win over env, env over the file, the file over defaults.',
    '',
    'Options:',
    '  --config <file>                     JSON config file (default weft.config.json, if present)',
    `  --topology <file>                   module exporting topology() (default ${DEFAULT_TOPOLOGY}; env WEFT_TOPOLOGY)`,
    ...settingsHelp(settings),
    '  -h, --help                          show this help',
  ];
  if (topologyError !== undefined) lines.push('', `(topology ${topologyPath} not loaded: ${topologyError})`);
  return `${lines.join('\n')}\n`;
}

function takeTopology(argv: readonly string[], io: StartIo): { topologyPath: string; rest: string[] } {
  const rest: string[] = [];
  let chosen = io.env.WEFT_TOPOLOGY || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--topology' && i + 1 < argv.length) chosen = argv[++i];
    else if (arg.startsWith('--topology=')) chosen = arg.slice('--topology='.length);
    else rest.push(arg);
  }
  if (chosen !== undefined)
    return { topologyPath: isAbsolute(chosen) ? chosen : resolve(io.cwd, chosen), rest };
  const local = resolve(io.cwd, DEFAULT_TOPOLOGY);
  return { topologyPath: existsSync(local) ? local : BUNDLED_TOPOLOGY, rest };
}

function defaultIo(): StartIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** weft's version, from its package.json. */
export function weftVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
