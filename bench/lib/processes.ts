/** Starting, probing and stopping the processes of a stack. */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';

/** How long a process may take to answer its readiness URL. */
export const READY_TIMEOUT_MS = 45_000;
/** How long a process gets to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;
/** Output kept per process for error messages. */
const TAIL_CHARS = 4_000;

/** One process of a stack. */
export interface ProcessSpec {
  name: string;
  role: 'gateway' | 'owner';
  /** Script run by this Node binary. */
  script: string;
  /** Node options before the script (bench/split.ts adds --cpu-prof). */
  nodeArgs?: readonly string[];
  env: Record<string, string>;
  /** Answers 200 when the process (and, for a gateway, what it needs) is ready. */
  readyUrl?: string;
  /** Ports the process listens on, checked free before start. */
  ports: number[];
}

/** A running process and the tail of its output. */
export interface Running {
  spec: ProcessSpec;
  child: ChildProcess;
  pid: number;
  tail(): string;
  exited: Promise<number | null>;
}

/** True when something already accepts connections on the port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts a process quietly, keeping the tail of its output. */
export function startProcess(spec: ProcessSpec, cwd: string): Running {
  const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), spec.script], {
    cwd,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { spec, child, pid: child.pid ?? -1, tail: () => tail, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The most telling part of a process's output: its first error line, else the last lines. */
export function summarizeOutput(tail: string): string {
  const lines = tail
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /\b(Error|error|ERR_)\b|^\w*Error:/.test(l) && !l.startsWith('at '));
  return (error ?? lines.slice(-3).join(' | ')).slice(0, 400);
}

/** Waits until the process's readiness URL answers 200; throws with its output when it exits or times out. */
export async function waitReady(p: Running, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  if (!p.spec.readyUrl) return;
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void p.exited.then(() => {
    exited = true;
  });
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${p.spec.name} exited before ready: ${summarizeOutput(p.tail())}`);
    try {
      const res = await fetch(p.spec.readyUrl, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${p.spec.name} not ready after ${timeoutMs} ms (${last}): ${summarizeOutput(p.tail())}`);
}

/** SIGTERM, then SIGKILL after a grace period. */
export async function stopProcess(p: Running): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), STOP_GRACE_MS);
  await p.exited;
  clearTimeout(timer);
}
