/** One measured sample: warm-up, then a window bracketed by /proc readings. */
import {
  CLK_TCK,
  cpuTotals,
  loadavg1,
  processCpuTicks,
  reapedChildrenCpuTicks,
  resetPeakRss,
  statusKb,
} from './proc-stats.ts';
import type { LoadResult, MachineLoad, Sample } from './types.ts';

/** Cores' worth of outside CPU above which a sample is flagged. */
export const DISTURBED_OTHER_CORES = 0.25;
/** Steal share above which a sample is flagged. */
export const DISTURBED_STEAL_SHARE = 0.05;

/** What a sample needs from the runner. */
export interface SampleInput {
  round: number;
  scenario: string;
  stack: string;
  gatewayPid: number;
  /** Every process of the stack under test (gateway and owners): what the whole answer costs. */
  stackPids: readonly number[];
  /** Every benchmark process that stays up (all stacks), so their CPU is not counted as outside load. */
  benchPids: readonly number[];
  warmupS: number;
  measureS: number;
  /** Runs the load generator for a number of seconds. */
  load(durationS: number): Promise<LoadResult>;
}

const sumTicks = (pids: readonly number[]) => pids.reduce((n, pid) => n + (processCpuTicks(pid) ?? 0), 0);

/** The reasons a window's machine load makes a sample suspect. */
export function disturbance(m: MachineLoad): string[] {
  const why: string[] = [];
  if (m.otherCores > DISTURBED_OTHER_CORES) {
    why.push(`other processes used ${m.otherCores.toFixed(2)} cores`);
  }
  if (m.stealShare > DISTURBED_STEAL_SHARE) why.push(`steal ${(m.stealShare * 100).toFixed(1)}%`);
  return why;
}

/** The /proc readings taken on both sides of a measured window. */
function readCounters(input: SampleInput) {
  return {
    gateway: processCpuTicks(input.gatewayPid),
    stack: sumTicks(input.stackPids),
    bench: sumTicks(input.benchPids),
    self: processCpuTicks('self') ?? 0,
    children: reapedChildrenCpuTicks() ?? 0,
    cpu: cpuTotals(),
    at: performance.now(),
  };
}

/** Warms up, measures one window and returns the sample. */
export async function measureSample(input: SampleInput): Promise<Sample> {
  if (input.warmupS > 0) await input.load(input.warmupS);
  const peakReset = resetPeakRss(input.gatewayPid);
  const before = { ...readCounters(input), loadavg: loadavg1() };
  const load = await input.load(input.measureS);
  const after = readCounters(input);
  const wallS = (after.at - before.at) / 1000;
  const ours = after.bench - before.bench + (after.self - before.self) + (after.children - before.children);
  const machine: MachineLoad =
    before.cpu && after.cpu
      ? {
          loadavg1: before.loadavg,
          stealShare: (after.cpu.steal - before.cpu.steal) / Math.max(1, after.cpu.total - before.cpu.total),
          otherCores: Math.max(0, after.cpu.busy - before.cpu.busy - ours) / CLK_TCK / wallS,
          busyCores: (after.cpu.busy - before.cpu.busy) / CLK_TCK / wallS,
        }
      : { loadavg1: before.loadavg, stealShare: 0, otherCores: 0, busyCores: 0 };
  const gatewayTicks =
    before.gateway !== null && after.gateway !== null ? after.gateway - before.gateway : null;
  const disturbed = disturbance(machine);
  return {
    round: input.round,
    scenario: input.scenario,
    stack: input.stack,
    load,
    gatewayCpuUsPerReq:
      gatewayTicks !== null && load.requests > 0 ? ((gatewayTicks / CLK_TCK) * 1e6) / load.requests : null,
    stackCpuUsPerReq:
      load.requests > 0 ? (((after.stack - before.stack) / CLK_TCK) * 1e6) / load.requests : null,
    gatewayPeakRssKb: statusKb(input.gatewayPid, 'VmHWM'),
    peakRssReset: peakReset,
    machine,
    disturbed,
  };
}
