/**
 * Where a stack's CPU goes: runs one scenario against one stack and prints each process's CPU per
 * request, so a gap in the summary table can be traced to the process that causes it.
 *
 *   node bench/split.ts <stack> <scenario> [seconds] [--cpu-prof]
 *
 * With --cpu-prof every process writes a V8 CPU profile into bench/results/profiles/<stack>/.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLK_TCK, processCpuTicks } from './lib/proc-stats.ts';
import { startProcess, stopProcess, waitReady } from './lib/processes.ts';
import { scenarios } from './lib/scenarios.ts';
import { stacks } from './lib/stacks.ts';
import { parseWrkOutput, wrkScript } from './lib/wrk.ts';

const ROOT = join(import.meta.dirname, '..');
const [stackName, scenarioId, secondsArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const profile = process.argv.includes('--cpu-prof');
const stack = stacks.find((s) => s.name === stackName);
const scenario = scenarios.find((s) => s.id === scenarioId);
if (!stack || !scenario) {
  console.error(
    `usage: node bench/split.ts <${stacks.map((s) => s.name).join('|')}> <${scenarios.map((s) => s.id).join('|')}> [seconds] [--cpu-prof]`,
  );
  process.exit(2);
}
const seconds = Number(secondsArg ?? 10);
const profileDir = join(ROOT, 'bench/results/profiles', stack.name);
const specs = stack
  .processes(join(ROOT, 'bench/.data', stack.name))
  .map((spec) => (profile ? { ...spec, nodeArgs: [`--cpu-prof`, `--cpu-prof-dir=${profileDir}`] } : spec));
const procs = specs.map((spec) => startProcess(spec, ROOT));
try {
  await Promise.all(procs.map((p) => waitReady(p)));
  const script = join(ROOT, 'bench/results/split.lua.tmp');
  writeFileSync(script, wrkScript(scenario, stack.headers));
  const before = procs.map((p) => processCpuTicks(p.pid) ?? 0);
  const out = execFileSync('wrk', ['-t2', '-c50', `-d${seconds}s`, '-s', script, stack.baseUrl], {
    encoding: 'utf8',
  });
  const after = procs.map((p) => processCpuTicks(p.pid) ?? 0);
  const result = parseWrkOutput(out);
  console.log(
    `${stack.name} ${scenario.id}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
  );
  let total = 0;
  procs.forEach((p, i) => {
    const us = (((after[i] - before[i]) / CLK_TCK) * 1e6) / result.requests;
    const cores = (after[i] - before[i]) / CLK_TCK / seconds;
    total += us;
    console.log(`  ${p.spec.name.padEnd(22)} ${us.toFixed(0).padStart(5)} µs/req  ${cores.toFixed(2)} cores`);
  });
  console.log(`  ${'stack'.padEnd(22)} ${total.toFixed(0).padStart(5)} µs/req`);
} finally {
  await Promise.all(procs.map((p) => stopProcess(p)));
}
