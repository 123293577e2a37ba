/**
 * `npm run bench [-- --quick]`: starts every stack once, checks each answers correctly, then runs
 * rounds of every scenario × stack in a fixed order (hand, naive, moleculer, weft), each a warm-up
 * and a measured window, within a time budget. Writes bench/results/<timestamp>.json and
 * regenerates docs/benchmarks.md and docs/bench/*.svg from it.
 *
 * Options: --quick, --rounds=N, --warmup=S, --measure=S, --connections=N, --threads=N,
 * --stacks=a,b, --scenarios=S1,S2, --loadgen=wrk|autocannon, --no-docs, --report=<results.json>
 * (only regenerate the docs from a results file).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { autocannonVersion, runAutocannon } from './lib/autocannon.ts';
import { probeStack, shapeDiff, shapeOf } from './lib/probe.ts';
import type { Running } from './lib/processes.ts';
import { portInUse, startProcess, stopProcess, waitReady } from './lib/processes.ts';
import { renderReport } from './lib/report.ts';
import { measureSample } from './lib/sample.ts';
import type { Scenario } from './lib/scenarios.ts';
import { scenarios as allScenarios } from './lib/scenarios.ts';
import type { StackDef } from './lib/stacks.ts';
import { stacks as allStacks } from './lib/stacks.ts';
import { BASELINE_STACK, roundRatios, summarizeScenario } from './lib/stats.ts';
import type { LoadGenerator, LoadResult, RunResult, Sample, StackStatus } from './lib/types.ts';
import { runWrk, wrkVersion } from './lib/wrk.ts';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Per-mode defaults: a full run fits 20 minutes, a quick one 3, both with 8 samples per round. */
const MODES = {
  full: { budgetS: 20 * 60, rounds: 5, minRounds: 4, warmupS: 5, measureS: 15 },
  quick: { budgetS: 3 * 60, rounds: 2, minRounds: 2, warmupS: 2, measureS: 5 },
} as const;
/** Overhead per sample beyond its windows (process spawn, probes, readings). */
const SAMPLE_OVERHEAD_S = 1.5;
/** Time kept at the end for stopping the stacks and writing the results. */
const TAIL_RESERVE_S = 10;
/** Inbound connections: enough to saturate a single-threaded gateway, as in the issue's measurements. */
const DEFAULT_CONNECTIONS = 50;
/** wrk threads: one per core on this 2-core class of machine. */
const DEFAULT_WRK_THREADS = 2;

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    measure: { type: 'string' },
    connections: { type: 'string' },
    threads: { type: 'string' },
    stacks: { type: 'string' },
    scenarios: { type: 'string' },
    loadgen: { type: 'string' },
    'no-docs': { type: 'boolean', default: false },
    report: { type: 'string' },
  },
});

const log = (line: string) => process.stdout.write(`${line}\n`);

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new TypeError(`--${name} must be a positive number, got ${raw}`);
  return n;
}

/** Hand-written reading of the latest full run: targets met or not, and the profiles behind it. */
const ANALYSIS = 'bench/analysis.md';

function writeDocs(result: RunResult, resultsPath: string): void {
  const analysisPath = join(ROOT, ANALYSIS);
  const analysis = existsSync(analysisPath) ? readFileSync(analysisPath, 'utf8') : undefined;
  for (const [path, content] of renderReport(result, resultsPath, analysis)) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), content);
  }
  log(`docs: docs/benchmarks.md and docs/bench/*.svg regenerated from ${resultsPath}`);
}

if (opts.report) {
  const path = relative(ROOT, resolve(opts.report));
  writeDocs(JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as RunResult, path);
  process.exit(0);
}

const mode = opts.quick ? MODES.quick : MODES.full;
const started = Date.now();
const elapsedS = () => (Date.now() - started) / 1000;
const connections = positive('connections', opts.connections, DEFAULT_CONNECTIONS);
const threads = positive('threads', opts.threads, DEFAULT_WRK_THREADS);
let warmupS = positive('warmup', opts.warmup, mode.warmupS);
let measureS = positive('measure', opts.measure, mode.measureS);
const roundsWanted = positive('rounds', opts.rounds, mode.rounds);

const pickNames = <T extends { name?: string; id?: string }>(
  all: readonly T[],
  list: string | undefined,
  what: string,
) => {
  if (!list) return [...all];
  const names = list.split(',');
  const unknown = names.filter((n) => !all.some((x) => (x.name ?? x.id) === n));
  if (unknown.length) throw new TypeError(`--${what}: unknown ${unknown.join(', ')}`);
  return all.filter((x) => names.includes((x.name ?? x.id)!));
};
const stackDefs = pickNames<StackDef>(allStacks, opts.stacks, 'stacks');
const scenarios = pickNames<Scenario>(allScenarios, opts.scenarios, 'scenarios');

// The load generator: wrk when present (it goes about twice as far as autocannon here).
const wrk = wrkVersion();
let generator: LoadGenerator;
let generatorReason: string;
if (opts.loadgen === 'autocannon' || (!opts.loadgen && !wrk)) {
  generator = 'autocannon';
  generatorReason = opts.loadgen
    ? 'chosen with --loadgen'
    : 'wrk not found on PATH; `apt-get install wrk` for headline numbers';
} else if (opts.loadgen === 'wrk' || !opts.loadgen) {
  if (!wrk) throw new Error('--loadgen=wrk but wrk is not on PATH');
  generator = 'wrk';
  generatorReason = opts.loadgen ? 'chosen with --loadgen' : 'found on PATH';
} else throw new TypeError(`--loadgen must be wrk or autocannon, got ${opts.loadgen}`);
const generatorVersion = generator === 'wrk' ? wrk! : (autocannonVersion() ?? 'autocannon');
log(`load generator: ${generatorVersion} (${generatorReason})`);

const resultsDir = join(ROOT, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
const scriptPath = join(resultsDir, `${stamp}.lua.tmp`);

const running: Running[] = [];
const stopAll = () => Promise.all(running.map(stopProcess));
process.once('SIGINT', () => {
  log('interrupted: stopping stacks');
  void stopAll().then(() => process.exit(130));
});

// Start every stack once; a stack that cannot run is reported, never silently dropped.
const statuses: StackStatus[] = [];
const live: { def: StackDef; gatewayPid: number; stackPids: number[] }[] = [];
const notes: string[] = [];
const probeSamples = new Map<string, Map<string, unknown>>();
for (const def of stackDefs) {
  const status: StackStatus = { name: def.name, description: def.description, available: false };
  statuses.push(status);
  const why = def.unavailable(ROOT);
  if (why) {
    status.reason = why;
    log(`${def.name}: not available (${why})`);
    continue;
  }
  const specs = def.processes(join(ROOT, 'bench/.data', def.name));
  const busy: number[] = [];
  for (const spec of specs) for (const port of spec.ports) if (await portInUse(port)) busy.push(port);
  if (busy.length) {
    status.reason = `port ${busy.join(', ')} already in use`;
    log(`${def.name}: not available (${status.reason})`);
    continue;
  }
  const procs = specs.map((spec) => startProcess(spec, ROOT));
  running.push(...procs);
  try {
    await Promise.all(procs.map((p) => waitReady(p)));
    const probe = await probeStack(def.baseUrl, scenarios, def.headers);
    if (probe.failure) throw new Error(`wrong answer: ${probe.failure}`);
    probeSamples.set(def.name, probe.samples);
    status.available = true;
    live.push({
      def,
      gatewayPid: procs.find((p) => p.spec.role === 'gateway')!.pid,
      stackPids: procs.map((p) => p.pid),
    });
    log(`${def.name}: ready and answering correctly (${elapsedS().toFixed(1)} s)`);
  } catch (error) {
    status.reason = (error as Error).message.replace(/\s+/g, ' ').slice(0, 600);
    log(`${def.name}: not available (${status.reason})`);
    await Promise.all(procs.map(stopProcess));
  }
}

// Same routes, same JSON shapes: say so when a stack answers with different keys than the baseline.
const base = probeSamples.get(BASELINE_STACK);
for (const [name, samples] of probeSamples) {
  if (name === BASELINE_STACK || !base) continue;
  for (const [scenario, body] of samples) {
    const diff = shapeDiff(shapeOf(base.get(scenario)), shapeOf(body), BASELINE_STACK, name);
    const note = diff
      ? `${scenario}: ${name}'s answer differs in shape from ${BASELINE_STACK}'s (${diff})`
      : JSON.stringify(body) !== JSON.stringify(base.get(scenario))
        ? `${scenario}: ${name}'s answer has ${BASELINE_STACK}'s shape but different values or key order`
        : null;
    if (note) {
      notes.push(note);
      log(`note: ${note}`);
    }
  }
}

// Fit the rounds into the budget: fewer rounds first, then shorter windows, never under the minimum.
const perRound = Math.max(1, live.length * scenarios.length);
const remainingS = mode.budgetS - elapsedS() - TAIL_RESERVE_S;
let rounds = Math.min(
  roundsWanted,
  Math.floor(remainingS / (perRound * (warmupS + measureS + SAMPLE_OVERHEAD_S))),
);
if (rounds < mode.minRounds && !opts.rounds) {
  rounds = mode.minRounds;
  const fit = remainingS / (perRound * rounds) - SAMPLE_OVERHEAD_S;
  if (fit < warmupS + measureS) {
    warmupS = Math.max(1, Math.min(warmupS, Math.floor(fit * 0.25)));
    measureS = Math.max(2, Math.floor(fit - warmupS));
    notes.push(`windows shortened to ${warmupS} s + ${measureS} s to fit ${rounds} rounds in the budget`);
  }
}
rounds = Math.max(1, rounds);
log(`plan: ${rounds} rounds × ${perRound} samples, ${warmupS} s warm-up + ${measureS} s measured each`);

const loadFor =
  (def: StackDef, scenario: Scenario) =>
  (durationS: number): Promise<LoadResult> =>
    generator === 'wrk'
      ? runWrk({
          baseUrl: def.baseUrl,
          scenario,
          scriptPath,
          connections,
          threads,
          durationS,
          headers: def.headers,
        })
      : runAutocannon({
          baseUrl: def.baseUrl,
          scenario: scenario.id,
          connections,
          durationS,
          headers: def.headers,
        });

const samples: Sample[] = [];
const benchPids = running.filter((p) => p.child.exitCode === null).map((p) => p.pid);
let roundsDone = 0;
run: for (let round = 1; round <= rounds && live.length; round++) {
  for (const scenario of scenarios) {
    for (const { def, gatewayPid, stackPids } of live) {
      if (elapsedS() + warmupS + measureS + SAMPLE_OVERHEAD_S > mode.budgetS - TAIL_RESERVE_S) {
        notes.push(`stopped in round ${round}: the ${mode.budgetS / 60}-minute budget was reached`);
        log(`budget reached: stopping in round ${round}`);
        break run;
      }
      try {
        const sample = await measureSample({
          round,
          scenario: scenario.id,
          stack: def.name,
          gatewayPid,
          stackPids,
          benchPids,
          warmupS,
          measureS,
          load: loadFor(def, scenario),
        });
        samples.push(sample);
        const ratio = roundRatios(samples.filter((s) => s.round === round && s.scenario === scenario.id)).get(
          sample,
        );
        log(
          `[round ${round}] ${scenario.id} ${def.name.padEnd(9)} ${sample.load.rps.toFixed(0).padStart(7)} req/s` +
            `  p50 ${sample.load.p50Ms.toFixed(2)} ms  p99 ${sample.load.p99Ms.toFixed(2)} ms` +
            `  non-2xx ${sample.load.non2xx} errors ${sample.load.errors}` +
            `  cpu ${sample.gatewayCpuUsPerReq?.toFixed(0) ?? '?'} µs/req  rss ${((sample.gatewayPeakRssKb ?? 0) / 1024).toFixed(0)} MiB` +
            `${ratio ? `  ${ratio.toFixed(2)}× ${BASELINE_STACK}` : ''}` +
            `${sample.disturbed.length ? `  DISTURBED: ${sample.disturbed.join('; ')}` : ''}`,
        );
      } catch (error) {
        notes.push(`round ${round} ${scenario.id} ${def.name}: sample failed (${(error as Error).message})`);
        log(`[round ${round}] ${scenario.id} ${def.name}: sample failed: ${(error as Error).message}`);
      }
    }
  }
  roundsDone = round;
}

await stopAll();
rmSync(scriptPath, { force: true });
if (samples.some((s) => !s.peakRssReset)) {
  notes.push("the kernel refused to reset VmHWM, so peak RSS covers each gateway process's whole life");
}

const result: RunResult = {
  version: 1,
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  quick: Boolean(opts.quick),
  startedAt: new Date(started).toISOString(),
  finishedAt: new Date().toISOString(),
  machine: {
    node: process.version,
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    kernel: `${os.type()} ${os.release()}`,
    memTotalMb: Math.round(os.totalmem() / 2 ** 20),
    loadGenerator: generator,
    loadGeneratorVersion: generatorVersion,
    loadGeneratorReason: generatorReason,
  },
  settings: {
    connections,
    threads: generator === 'wrk' ? threads : 1,
    warmupS,
    measureS,
    roundsPlanned: rounds,
    roundsDone,
    lifecycle:
      'all stacks started once before round 1 and kept up to the end; only the stack under test gets load (idle stacks count as benchmark CPU, not as disturbance)',
  },
  scenarios: scenarios.map((s) => ({ id: s.id, title: s.title, route: s.route })),
  stacks: statuses,
  samples,
  notes,
};
const resultsPath = `bench/results/${stamp}.json`;
writeFileSync(join(ROOT, `${resultsPath}.tmp`), `${JSON.stringify(result, null, 2)}\n`);
renameSync(join(ROOT, `${resultsPath}.tmp`), join(ROOT, resultsPath));
log(`results: ${resultsPath} (${elapsedS().toFixed(0)} s)`);

for (const scenario of result.scenarios) {
  log(`\n${scenario.id} ${scenario.route}`);
  for (const r of summarizeScenario(result, scenario.id)) {
    log(
      `  ${r.stack.padEnd(9)} ${r.medianRps?.toFixed(0).padStart(7)} req/s  ${r.ratio?.toFixed(2) ?? '—'}× ${BASELINE_STACK}` +
        `  p50 ${r.p50Ms?.toFixed(2)} ms  p99 ${r.p99Ms?.toFixed(2)} ms  cpu ${r.cpuUsPerReq?.toFixed(0)} µs/req  rss ${r.peakRssMb?.toFixed(0)} MiB`,
    );
  }
}
for (const st of statuses.filter((s) => !s.available)) log(`${st.name}: not available (${st.reason})`);
if (!opts['no-docs']) writeDocs(result, resultsPath);
