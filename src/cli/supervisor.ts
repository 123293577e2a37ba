import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { WeftError } from '../errors/index.ts';
import { type BackoffPolicy, DEFAULT_BACKOFF, restartDelayMs } from './backoff.ts';
import { formatLogLine, linePrefix, paint } from './log-format.ts';
import { type ProcessSpec, planStages, type Stage } from './topology.ts';

/** Seeding 20,000 orders on a slow disk takes a while; a hung process is still caught. */
export const DEFAULT_READY_TIMEOUT_MS = 60_000;
/** Short enough that "ready" shows up promptly, long enough not to load a starting process. */
export const DEFAULT_READY_POLL_MS = 100;
/** Services drain in-flight requests on SIGTERM within their own bound, which is shorter. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
/** Lines of a process's output kept to explain why it is not ready. */
export const DEFAULT_LOG_TAIL_LINES = 20;
/** One readiness probe; a process that takes longer is not ready yet. */
const PROBE_TIMEOUT_MS = 1_000;
/** After SIGKILL the kernel reaps at once; this only guards against an unkillable (D-state) process. */
const KILL_WAIT_MS = 5_000;

/**
 * Where a supervised process is: `pending` (not started yet), `starting` (spawned, not ready),
 * `ready` (`/readyz` answered 200), `backoff` (crashed, restart scheduled), `stopping` (SIGTERM
 * sent) or `stopped`.
 */
export type ProcessState = 'pending' | 'starting' | 'ready' | 'backoff' | 'stopping' | 'stopped';

/** A snapshot of one supervised process. */
export interface ProcessInfo {
  readonly instance: string;
  readonly service: string;
  readonly pid: number | undefined;
  readonly state: ProcessState;
  /** Times it was restarted after a crash. */
  readonly restarts: number;
  readonly url: string;
}

/** Emitted when a crashed process has been started again. */
export interface RestartEvent {
  readonly instance: string;
  readonly pid: number | undefined;
  readonly restarts: number;
  readonly delayMs: number;
  /** Why the previous run ended, for example `killed by SIGKILL`. */
  readonly reason: string;
}

/** Events of a {@link Supervisor}. */
export interface SupervisorEvents {
  spawn: [{ instance: string; pid: number | undefined }];
  ready: [{ instance: string; pid: number | undefined; ms: number }];
  exit: [
    {
      instance: string;
      pid: number | undefined;
      code: number | null;
      signal: string | null;
      expected: boolean;
    },
  ];
  restart: [RestartEvent];
  line: [{ instance: string; stream: 'stdout' | 'stderr'; line: string }];
}

/** Options of a {@link Supervisor}. */
export interface SupervisorOptions {
  /** Working directory of the children (entries resolve against it); default `process.cwd()`. */
  cwd?: string;
  /** Environment every child starts from (its spec's env is added); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where prefixed output goes; default `process.stdout`. */
  output?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Colour the output; default: when `output` is a TTY and NO_COLOR is not set. */
  color?: boolean;
  readyTimeoutMs?: number;
  readyPollMs?: number;
  /** How long each stop step waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  logTailLines?: number;
}

interface Managed {
  readonly spec: ProcessSpec;
  readonly index: number;
  readonly level: number;
  readonly url: string;
  child: ChildProcess | undefined;
  exited: Promise<void>;
  state: ProcessState;
  restarts: number;
  /** Crashes since the last run that stayed up `resetAfterMs`; drives the backoff. */
  consecutive: number;
  startedAt: number;
  generation: number;
  timer: NodeJS.Timeout | undefined;
  lastProbe: string;
  tail: string[];
}

/**
 * Runs a topology as child processes and keeps it running. `start()` spawns stage by stage (see
 * `planStages`) and resolves once every process answers its readiness probe; a process that exits
 * unasked is restarted with exponential backoff; `stop()` sends SIGTERM step by step in reverse
 * start order (dependants first, so upstreams serve while they drain), SIGKILLs whatever outlives
 * `stopTimeoutMs`, and resolves once every child is gone. Children run in their own process group,
 * so a terminal's Ctrl-C reaches only the supervisor, which then stops them in order.
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly #stages: Stage[];
  readonly #managed: Managed[] = [];
  readonly #byInstance = new Map<string, Managed>();
  readonly #cwd: string;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #output: NodeJS.WritableStream;
  readonly #color: boolean;
  readonly #readyTimeoutMs: number;
  readonly #readyPollMs: number;
  readonly #stopTimeoutMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #tailLines: number;
  readonly #width: number;
  #started = false;
  #stopping: Promise<void> | undefined;
  readonly #killAllOnExit = () => {
    for (const m of this.#managed) if (m.child?.pid !== undefined) signalGroup(m.child, 'SIGKILL');
  };

  constructor(specs: readonly ProcessSpec[], options: SupervisorOptions = {}) {
    super();
    this.#stages = planStages(specs);
    this.#cwd = options.cwd ?? process.cwd();
    this.#env = options.env ?? process.env;
    this.#output = options.output ?? process.stdout;
    const isTTY = (options.output ?? process.stdout).isTTY === true;
    this.#color = options.color ?? (isTTY && !this.#env.NO_COLOR);
    this.#readyTimeoutMs = positive('readyTimeoutMs', options.readyTimeoutMs, DEFAULT_READY_TIMEOUT_MS);
    this.#readyPollMs = positive('readyPollMs', options.readyPollMs, DEFAULT_READY_POLL_MS);
    this.#stopTimeoutMs = positive('stopTimeoutMs', options.stopTimeoutMs, DEFAULT_STOP_TIMEOUT_MS);
    this.#tailLines = positive('logTailLines', options.logTailLines, DEFAULT_LOG_TAIL_LINES);
    this.#backoff = Object.freeze({
      initialMs: positive('backoff.initialMs', options.backoff?.initialMs, DEFAULT_BACKOFF.initialMs),
      maxMs: positive('backoff.maxMs', options.backoff?.maxMs, DEFAULT_BACKOFF.maxMs),
      resetAfterMs: positive(
        'backoff.resetAfterMs',
        options.backoff?.resetAfterMs,
        DEFAULT_BACKOFF.resetAfterMs,
      ),
    });
    let index = 0;
    for (const stage of this.#stages) {
      for (const spec of stage.specs) {
        const url = `http://${spec.host ?? '127.0.0.1'}:${spec.port}`;
        const m: Managed = {
          spec,
          index: index++,
          level: stage.level,
          url,
          child: undefined,
          exited: Promise.resolve(),
          state: 'pending',
          restarts: 0,
          consecutive: 0,
          startedAt: 0,
          generation: 0,
          timer: undefined,
          lastProbe: 'not probed yet',
          tail: [],
        };
        this.#managed.push(m);
        this.#byInstance.set(spec.instance, m);
      }
    }
    this.#width = Math.max(4, ...this.#managed.map((m) => m.spec.instance.length));
  }

  /**
   * Starts every process, stage by stage, each stage once the previous one is ready. Rejects with
   * `NOT_READY` (naming the process, its last probe and its last lines) when a stage is not ready
   * within `readyTimeoutMs`, after stopping everything; with `SHUTTING_DOWN` when `stop()` is
   * called before all are ready.
   */
  async start(): Promise<void> {
    if (this.#started) throw new TypeError('Supervisor.start() may be called once');
    this.#started = true;
    process.on('exit', this.#killAllOnExit);
    for (const stage of this.#stages) {
      if (this.#stopping !== undefined) break;
      const names = stage.specs.map((spec) => spec.instance);
      this.#say(`starting ${names.join(', ')}`);
      const stageMembers = names.map((name) => this.#byInstance.get(name)!);
      for (const m of stageMembers) this.#spawn(m);
      try {
        await this.#waitReady(stageMembers);
      } catch (error) {
        if (this.#stopping === undefined) await this.stop();
        throw error;
      }
    }
    if (this.#stopping !== undefined) {
      throw new WeftError('SHUTTING_DOWN', 'stopped before every process was ready');
    }
  }

  /** Stops every process (SIGTERM, then SIGKILL after `stopTimeoutMs`); safe to call more than once. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  /** A snapshot of every process, in start order. */
  processes(): ProcessInfo[] {
    return this.#managed.map((m) => ({
      instance: m.spec.instance,
      service: m.spec.service,
      pid: m.child?.pid,
      state: m.state,
      restarts: m.restarts,
      url: m.url,
    }));
  }

  /**
   * Sends a signal to one instance, as a crash would (for chaos tests): unless the supervisor is
   * stopping, the instance is restarted with backoff. Answers false when it has no live process.
   */
  kill(instance: string, signal: NodeJS.Signals = 'SIGTERM'): boolean {
    const m = this.#byInstance.get(instance);
    if (m === undefined) throw new TypeError(`no instance ${instance}`);
    if (m.child === undefined || m.child.exitCode !== null || m.child.signalCode !== null) return false;
    return signalGroup(m.child, signal);
  }

  #spawn(m: Managed): void {
    const { spec } = m;
    const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), spec.entry], {
      cwd: this.#cwd,
      env: { ...this.#env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const generation = ++m.generation;
    m.child = child;
    m.state = 'starting';
    m.startedAt = performance.now();
    m.lastProbe = 'not probed yet';
    const { promise, resolve } = Promise.withResolvers<void>();
    m.exited = promise;
    let ended = false;
    const onEnd = (code: number | null, signal: string | null, error?: Error) => {
      if (ended) return;
      ended = true;
      resolve();
      this.#onExit(m, child, code, signal, error);
    };
    child.once('exit', (code, signal) => onEnd(code, signal));
    child.once('error', (error) => {
      // 'error' without a pid: the spawn itself failed, and no 'exit' follows.
      if (child.pid === undefined) onEnd(null, null, error);
      else this.#say(`${spec.instance}: ${error.message}`);
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({ input: child[stream], crlfDelay: Number.POSITIVE_INFINITY });
      lines.on('line', (line) => this.#onLine(m, stream, line));
    }
    this.emit('spawn', { instance: spec.instance, pid: child.pid });
    void this.#pollReady(m, generation);
  }

  #onLine(m: Managed, stream: 'stdout' | 'stderr', line: string): void {
    m.tail.push(line);
    if (m.tail.length > this.#tailLines) m.tail.shift();
    this.#output.write(
      `${linePrefix(m.spec.instance, this.#width, m.index, this.#color)}${formatLogLine(line, this.#color)}\n`,
    );
    this.emit('line', { instance: m.spec.instance, stream, line });
  }

  #onExit(m: Managed, child: ChildProcess, code: number | null, signal: string | null, error?: Error): void {
    if (m.child !== child) return;
    m.child = undefined;
    const upMs = performance.now() - m.startedAt;
    const expected = this.#stopping !== undefined;
    this.emit('exit', { instance: m.spec.instance, pid: child.pid, code, signal, expected });
    if (expected) {
      m.state = 'stopped';
      return;
    }
    const reason =
      error !== undefined
        ? `could not start (${error.message})`
        : signal !== null
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
    if (upMs >= this.#backoff.resetAfterMs) m.consecutive = 0;
    m.consecutive++;
    const delayMs = restartDelayMs(m.consecutive, this.#backoff);
    m.state = 'backoff';
    this.#say(`${m.spec.instance} ${reason} after ${seconds(upMs)}; restarting in ${seconds(delayMs)}`, true);
    m.timer = setTimeout(() => {
      m.timer = undefined;
      if (this.#stopping !== undefined) return;
      m.restarts++;
      this.#spawn(m);
      this.emit('restart', {
        instance: m.spec.instance,
        pid: m.child?.pid,
        restarts: m.restarts,
        delayMs,
        reason: reason.replace(/^was /, ''),
      });
    }, delayMs);
  }

  async #pollReady(m: Managed, generation: number): Promise<void> {
    const path = m.spec.readyPath ?? '/readyz';
    while (m.generation === generation && m.child !== undefined && this.#stopping === undefined) {
      const outcome = await probe(`${m.url}${path}`);
      if (m.generation !== generation || m.child === undefined || this.#stopping !== undefined) return;
      m.lastProbe = `GET ${path} ${outcome}`;
      if (outcome === 'answered 200') {
        const ms = performance.now() - m.startedAt;
        m.state = 'ready';
        this.#say(`${m.spec.instance} ready on ${m.url} (${seconds(ms)})`);
        this.emit('ready', { instance: m.spec.instance, pid: m.child.pid, ms });
        return;
      }
      await sleep(this.#readyPollMs);
    }
  }

  #waitReady(members: readonly Managed[]): Promise<void> {
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const check = () => {
      if (this.#stopping !== undefined) {
        done();
        reject(new WeftError('SHUTTING_DOWN', 'stopped before every process was ready'));
      } else if (members.every((m) => m.state === 'ready')) {
        done();
        resolve();
      }
    };
    const timer = setTimeout(() => {
      done();
      const late = members.filter((m) => m.state !== 'ready');
      const detail = late
        .map((m) => {
          const tail = m.tail.length === 0 ? '  (no output)' : m.tail.map((line) => `  ${line}`).join('\n');
          return `${m.spec.instance} is ${m.state} (last probe: ${m.lastProbe}); its last lines:\n${tail}`;
        })
        .join('\n');
      reject(new WeftError('NOT_READY', `not ready within ${seconds(this.#readyTimeoutMs)}: ${detail}`));
    }, this.#readyTimeoutMs);
    const done = () => {
      clearTimeout(timer);
      this.off('ready', check);
      this.off('exit', check);
    };
    this.on('ready', check);
    this.on('exit', check);
    check();
    return promise;
  }

  async #stopAll(): Promise<void> {
    for (const m of this.#managed) {
      clearTimeout(m.timer);
      m.timer = undefined;
      if (m.child === undefined) m.state = 'stopped';
    }
    // Deepest level first; within a level, the reverse of start order.
    const levels = [...new Set(this.#managed.map((m) => m.level))].sort((a, b) => b - a);
    for (const level of levels) {
      const live = this.#managed.filter((m) => m.level === level && m.child !== undefined).reverse();
      if (live.length === 0) continue;
      this.#say(`stopping ${live.map((m) => m.spec.instance).join(', ')}`);
      for (const m of live) {
        m.state = 'stopping';
        signalGroup(m.child!, 'SIGTERM');
      }
      const timeout = sleep(this.#stopTimeoutMs, undefined, { ref: false });
      await Promise.race([Promise.all(live.map((m) => m.exited)), timeout]);
      const stragglers = live.filter((m) => m.child !== undefined);
      for (const m of stragglers) {
        this.#say(
          `${m.spec.instance} did not stop within ${seconds(this.#stopTimeoutMs)}; sending SIGKILL`,
          true,
        );
        signalGroup(m.child!, 'SIGKILL');
      }
      if (stragglers.length > 0) {
        await Promise.race([
          Promise.all(stragglers.map((m) => m.exited)),
          sleep(KILL_WAIT_MS, undefined, { ref: false }),
        ]);
      }
    }
    process.off('exit', this.#killAllOnExit);
    this.#say('all processes stopped');
  }

  #say(text: string, warn = false): void {
    const prefix = paint(`${'weft'.padEnd(this.#width)}`, '1', this.#color);
    const body = warn ? paint(text, '33', this.#color) : text;
    this.#output.write(`${prefix} ${paint('|', '2', this.#color)} ${body}\n`);
  }
}

/** Signals the child's whole process group (it leads one, being detached), so its own children go too. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return child.kill(signal);
  }
}

function probe(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(`answered ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(`failed: ${error.code ?? error.message}`));
    req.end();
  });
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`${name} must be a positive number, got ${value}`);
  return value;
}
