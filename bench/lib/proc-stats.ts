/**
 * Readings from /proc (Linux only): a process's CPU ticks and peak RSS, the machine's CPU totals,
 * and the harness's reaped-children CPU — which, since the load generator is the only child that
 * exits during a window, is the load generator's CPU. Every reader returns null when /proc does not
 * answer (the pid is gone, or this is not Linux).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** Clock ticks per second, the unit of /proc CPU times. */
export const CLK_TCK = (() => {
  const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout);
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** Fields of /proc/<pid>/stat after the command name; index 0 is field 3 (state). */
function statFields(pid: number | 'self'): string[] | null {
  const text = read(`/proc/${pid}/stat`);
  return text ? text.slice(text.lastIndexOf(')') + 2).split(' ') : null;
}

/** utime + stime of a process, in ticks. */
export function processCpuTicks(pid: number | 'self'): number | null {
  const f = statFields(pid);
  return f ? Number(f[11]) + Number(f[12]) : null;
}

/** cutime + cstime of the harness: CPU of its children that have exited and been reaped, in ticks. */
export function reapedChildrenCpuTicks(): number | null {
  const f = statFields('self');
  return f ? Number(f[13]) + Number(f[14]) : null;
}

/** A field of /proc/<pid>/status in KiB (e.g. VmHWM, VmRSS). */
export function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  const m = read(`/proc/${pid}/status`)?.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : null;
}

/** Resets a process's VmHWM to its current RSS (clear_refs 5); false when the kernel refuses. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Machine-wide CPU time in ticks, summed over cores. */
export interface CpuTotals {
  busy: number;
  steal: number;
  total: number;
}

/** Parses the aggregate `cpu` line of /proc/stat. */
export function parseProcStat(text: string): CpuTotals | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busy, steal: steal || 0, total: busy + idle + iowait + (steal || 0) };
}

/** The machine's CPU totals now. */
export function cpuTotals(): CpuTotals | null {
  const text = read('/proc/stat');
  return text ? parseProcStat(text) : null;
}

/** The 1-minute load average. */
export function loadavg1(): number {
  return Number(read('/proc/loadavg')?.split(' ')[0] ?? Number.NaN);
}
