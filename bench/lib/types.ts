/** The shapes of a benchmark run's raw results (`bench/results/<timestamp>.json`). */

/** The load generators the harness drives. */
export type LoadGenerator = 'wrk' | 'autocannon';

/** What one measured window of load produced, normalised across generators. */
export interface LoadResult {
  generator: LoadGenerator;
  /** Completed responses, any status. */
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses with a status outside 2xx (wrk counts status > 399). */
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
}

/** The machine around one window: did something else use the CPU? */
export interface MachineLoad {
  /** 1-minute load average just before the window. */
  loadavg1: number;
  /** Share of CPU time stolen by the hypervisor during the window, 0..1. */
  stealShare: number;
  /** Cores' worth of CPU used by processes outside the benchmark during the window. */
  otherCores: number;
  /** Cores' worth of CPU busy in total during the window. */
  busyCores: number;
}

/** One scenario × stack measurement in one round. */
export interface Sample {
  round: number;
  scenario: string;
  stack: string;
  load: LoadResult;
  /** Gateway process CPU (user + system) over the window ÷ completed requests, in µs. */
  gatewayCpuUsPerReq: number | null;
  /** CPU of all the stack's processes (gateway and owners) ÷ completed requests, in µs; absent in older results. */
  stackCpuUsPerReq?: number | null;
  /** Gateway VmHWM in KiB: the window's peak when the kernel allowed a reset, else since start. */
  gatewayPeakRssKb: number | null;
  /** True when VmHWM was reset at the window's start (else it covers the process's whole life). */
  peakRssReset: boolean;
  machine: MachineLoad;
  /** Why the sample is suspect (empty when it is clean). */
  disturbed: string[];
}

/** A stack as the run saw it. */
export interface StackStatus {
  name: string;
  description: string;
  available: boolean;
  /** Why the stack was left out, when it was. */
  reason?: string;
}

/** Everything a run records; the docs are regenerated from this alone. */
export interface RunResult {
  version: 1;
  command: string;
  quick: boolean;
  startedAt: string;
  finishedAt: string;
  machine: {
    node: string;
    cores: number;
    cpuModel: string;
    kernel: string;
    memTotalMb: number;
    loadGenerator: LoadGenerator;
    loadGeneratorVersion: string;
    /** Why the generator was chosen (e.g. "wrk not found on PATH"). */
    loadGeneratorReason: string;
  };
  settings: {
    connections: number;
    threads: number;
    warmupS: number;
    measureS: number;
    roundsPlanned: number;
    roundsDone: number;
    /** How stack processes live across samples. */
    lifecycle: string;
  };
  scenarios: { id: string; title: string; route: string }[];
  stacks: StackStatus[];
  samples: Sample[];
  /** Warnings worth reading with the numbers (shape differences, truncation, ...). */
  notes: string[];
}
