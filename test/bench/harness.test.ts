import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromAutocannon, parseAutocannonOutput } from '../../bench/lib/autocannon.ts';
import { shapeDiff, shapeOf } from '../../bench/lib/probe.ts';
import { parseProcStat } from '../../bench/lib/proc-stats.ts';
import { renderReport } from '../../bench/lib/report.ts';
import { disturbance } from '../../bench/lib/sample.ts';
import { ordersWithUser, userOrder } from '../../bench/lib/scenarios.ts';
import { median, roundRatios, summarizeScenario } from '../../bench/lib/stats.ts';
import { barChartSvg, escapeXml } from '../../bench/lib/svg-chart.ts';
import type { LoadResult, RunResult, Sample } from '../../bench/lib/types.ts';
import { parseWrkOutput, WRK_MARKER, wrkScript } from '../../bench/lib/wrk.ts';
import { seededRandom } from '../../examples/shop/seed-data.ts';

const WRK_STDOUT = `Running 5s test @ http://127.0.0.1:47101
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.10ms    1.20ms  40.00ms   90.00%
  20000 requests in 5.00s, 12.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   4000.00
Transfer/sec:      2.40MB
${WRK_MARKER}{"requests":20000,"duration_us":5000000,"bytes":12582912,"connect":0,"read":1,"write":0,"status":3,"timeout":2,"p50_us":4800,"p99_us":9900}
`;

const load = (rps: number, over: Partial<LoadResult> = {}): LoadResult => ({
  generator: 'wrk',
  requests: rps * 10,
  durationS: 10,
  rps,
  p50Ms: 5,
  p99Ms: 20,
  non2xx: 0,
  errors: 0,
  ...over,
});

const sample = (
  round: number,
  scenario: string,
  stack: string,
  rps: number,
  over: Partial<Sample> = {},
): Sample => ({
  round,
  scenario,
  stack,
  load: load(rps),
  gatewayCpuUsPerReq: 100_000 / rps,
  stackCpuUsPerReq: 250_000 / rps,
  gatewayPeakRssKb: 80 * 1024,
  peakRssReset: true,
  machine: { loadavg1: 1, stealShare: 0, otherCores: 0, busyCores: 2 },
  disturbed: [],
  ...over,
});

const fixture: RunResult = {
  version: 1,
  command: 'npm run bench -- --quick',
  quick: true,
  startedAt: '2026-12-03T10:00:00.000Z',
  finishedAt: '2026-12-03T10:02:30.000Z',
  machine: {
    node: 'v24.21.0',
    cores: 2,
    cpuModel: 'Test CPU',
    kernel: 'Linux 6.1',
    memTotalMb: 24000,
    loadGenerator: 'wrk',
    loadGeneratorVersion: 'wrk 4.1.0',
    loadGeneratorReason: 'found on PATH',
  },
  settings: {
    connections: 50,
    threads: 2,
    warmupS: 2,
    measureS: 5,
    roundsPlanned: 2,
    roundsDone: 2,
    lifecycle: 'all up',
  },
  scenarios: [{ id: 'S1', title: 'user + order', route: 'GET /v1/users/{u}/orders/{o}' }],
  stacks: [
    { name: 'hand', description: 'baseline', available: true },
    { name: 'moleculer', description: 'moleculer <tcp>', available: true },
    { name: 'weft', description: 'the shop', available: false, reason: 'the shop is not built yet' },
  ],
  samples: [
    sample(1, 'S1', 'hand', 4000),
    sample(1, 'S1', 'moleculer', 6000),
    sample(2, 'S1', 'hand', 2000),
    sample(2, 'S1', 'moleculer', 3200, { disturbed: ['steal 9.0%'] }),
  ],
  notes: ['a note'],
};

describe('load generator output', () => {
  it('parses the line wrk prints from done()', () => {
    assert.deepEqual(parseWrkOutput(WRK_STDOUT), {
      generator: 'wrk',
      requests: 20000,
      durationS: 5,
      rps: 4000,
      p50Ms: 4.8,
      p99Ms: 9.9,
      non2xx: 3,
      errors: 3,
    });
  });

  it('throws, quoting the output, when wrk printed no result line', () => {
    assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1'), /unable to connect/);
  });

  it('builds a wrk script with the scenario picker, the headers and the result line', () => {
    const lua = wrkScript(userOrder, { authorization: 'Bearer "x"' });
    assert.match(lua, /math\.random\(1, 1000\)/);
    assert.match(lua, /usr_%04d\/orders\/ord_%05d/);
    assert.match(lua, /wrk\.headers\["authorization"\] = "Bearer \\"x\\""/);
    assert.ok(lua.includes(WRK_MARKER));
  });

  it('normalises autocannon results (ms latencies, timeouts counted as errors)', () => {
    const raw = {
      duration: 5,
      requests: { total: 10000 },
      latency: { p50: 4, p99: 12 },
      non2xx: 1,
      errors: 2,
      timeouts: 3,
    };
    const expected = {
      generator: 'autocannon',
      requests: 10000,
      durationS: 5,
      rps: 2000,
      p50Ms: 4,
      p99Ms: 12,
      non2xx: 1,
      errors: 5,
    };
    assert.deepEqual(fromAutocannon(raw), expected);
    assert.deepEqual(parseAutocannonOutput(`noise\nAUTOCANNON_JSON ${JSON.stringify(raw)}\n`), expected);
  });
});

describe('statistics', () => {
  it('takes the median of finite values only', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([null, Number.NaN, 5]), 5);
    assert.equal(median([]), null);
  });

  it('divides by the baseline of the same round, not of the run', () => {
    const ratios = roundRatios(fixture.samples);
    assert.deepEqual(
      fixture.samples.map((s) => ratios.get(s)),
      [1, 1.5, 1, 1.6],
    );
  });

  it('gives a null ratio in a round without a baseline sample', () => {
    const lonely = sample(3, 'S1', 'moleculer', 100);
    assert.equal(roundRatios([lonely]).get(lonely), null);
  });

  it('summarises a scenario per available stack', () => {
    const [hand, moleculer] = summarizeScenario(fixture, 'S1');
    assert.equal(hand.medianRps, 3000);
    assert.equal(hand.ratio, 1);
    assert.equal(moleculer.ratio, 1.55);
    assert.equal(moleculer.disturbed, 1);
    assert.equal(moleculer.peakRssMb, 80);
    assert.equal(summarizeScenario(fixture, 'S1').length, 2);
  });

  it('flags windows where other processes or the hypervisor took CPU', () => {
    assert.deepEqual(disturbance({ loadavg1: 3, stealShare: 0, otherCores: 0.1, busyCores: 2 }), []);
    assert.deepEqual(disturbance({ loadavg1: 3, stealShare: 0.08, otherCores: 0.5, busyCores: 2 }), [
      'other processes used 0.50 cores',
      'steal 8.0%',
    ]);
  });

  it('reads the aggregate cpu line of /proc/stat', () => {
    const text = 'cpu  100 5 50 1000 10 1 2 7 0 0\ncpu0 50 2 25 500 5 0 1 3 0 0\n';
    assert.deepEqual(parseProcStat(text), { busy: 158, steal: 7, total: 1175 });
  });
});

describe('scenarios and probes', () => {
  it('picks S1 orders that belong to the picked user', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 200; i++) {
      const { expect } = userOrder.pick(random);
      const u = Number(expect.userId.slice(4));
      const o = Number(expect.orderId!.slice(4));
      assert.ok(o > (u - 1) * 20 && o <= u * 20, `${expect.orderId} is not ${expect.userId}'s`);
    }
  });

  it('rejects an S1 answer for the wrong user and accepts a right one', () => {
    const pick = userOrder.pick(seededRandom(7));
    const order = { id: pick.expect.orderId, userId: pick.expect.userId, items: [], totalCents: 0 };
    const user = { id: pick.expect.userId, email: 'a@b' };
    assert.equal(userOrder.check(pick, 200, { user, order }), null);
    assert.match(userOrder.check(pick, 200, { user, order: { ...order, userId: 'usr_9999' } })!, /userId/);
    assert.match(userOrder.check(pick, 404, {})!, /status 404/);
  });

  it('requires S2 pages of 20 orders, each with its user, and a nextCursor', () => {
    const pick = ordersWithUser.pick(seededRandom(3));
    const user = { id: pick.expect.userId, email: 'a@b' };
    const items = Array.from({ length: 20 }, (_, i) => ({
      id: `o${i}`,
      userId: user.id,
      items: [],
      totalCents: 1,
      user,
    }));
    assert.equal(ordersWithUser.check(pick, 200, { items, nextCursor: null }), null);
    assert.match(ordersWithUser.check(pick, 200, { items })!, /nextCursor/);
    assert.match(ordersWithUser.check(pick, 200, { items: items.slice(1), nextCursor: null })!, /19 items/);
  });

  it('names the keys two answers do not share', () => {
    const a = shapeOf({ user: { id: 1 }, items: [{ id: 1, user: {} }] });
    const b = shapeOf({ user: { id: 1, version: 2 }, items: [{ id: 1, user: {} }] });
    assert.equal(shapeDiff(a, a, 'a', 'b'), null);
    assert.equal(shapeDiff(a, b, 'hand', 'weft'), 'only in weft: user.version');
  });
});

describe('report', () => {
  const files = renderReport(fixture, 'bench/results/fixture.json');
  const md = files.get('docs/benchmarks.md')!;

  it('names the command, the machine and the load generator', () => {
    assert.ok(md.includes('`npm run bench -- --quick`'));
    assert.ok(md.includes('| Node | v24.21.0 |'));
    assert.ok(md.includes('wrk 4.1.0 (found on PATH)'));
    assert.match(md, /Quick run/);
  });

  it('tabulates each scenario with ratios to hand and links its charts', () => {
    assert.ok(md.includes('| hand | 3,000 | 1.00× | 5.00 | 20.00 | 0 / 0 | 38 | 94 | 80.0 | 2 (0) |'));
    assert.ok(md.includes('| moleculer | 4,600 | 1.55× |'));
    assert.ok(md.includes('![S1 throughput](bench/s1-throughput.svg)'));
  });

  it('places the hand-written analysis after the tables, before the disturbed samples', () => {
    const withAnalysis = renderReport(fixture, 'bench/results/fixture.json', '## Targets\n\nS1 met.\n').get(
      'docs/benchmarks.md',
    )!;
    const at = withAnalysis.indexOf('## Targets');
    assert.ok(at > withAnalysis.indexOf('![S1 throughput]'));
    assert.ok(at < withAnalysis.indexOf('## Disturbed samples'));
    assert.ok(!md.includes('## Targets'));
  });

  it('shows an unavailable stack with its reason and lists disturbed samples', () => {
    assert.ok(md.includes('**weft: not available** (the shop is not built yet)'));
    assert.ok(md.includes('- round 2, S1, moleculer: steal 9.0%'));
  });

  it('writes well-formed SVG charts with escaped labels', () => {
    const svg = files.get('docs/bench/s1-throughput.svg')!;
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(svg.match(/<rect /g)?.length, 3); // background + one bar per stack
    assert.ok(svg.includes('1.55× hand'));
    assert.ok(files.has('docs/bench/s1-cpu.svg'));
    assert.equal(escapeXml('<a & "b">'), '&lt;a &amp; &quot;b&quot;&gt;');
    assert.ok(barChartSvg({ title: 'x', unit: 'u', bars: [{ label: 'y', value: null }] }).includes('>n/a<'));
  });
});
