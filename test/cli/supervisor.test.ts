import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ProcessSpec, Supervisor, type SupervisorOptions } from '../../src/cli/index.ts';
import { WeftError } from '../../src/errors/index.ts';

const FAKE = fileURLToPath(new URL('./fixtures/fake-service.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function spec(
  service: string,
  n: number,
  extra: { after?: string[]; env?: Record<string, string> } = {},
): Promise<ProcessSpec> {
  const port = await freePort();
  return {
    service,
    instance: `${service}-${n}`,
    entry: FAKE,
    port,
    env: { PORT: String(port), WEFT_INSTANCE: `${service}-${n}`, ...extra.env },
    after: extra.after,
  };
}

/** A supervisor writing into a buffer, with test-sized timings. */
function supervise(specs: ProcessSpec[], options: SupervisorOptions = {}) {
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const supervisor = new Supervisor(specs, {
    output,
    readyPollMs: 25,
    readyTimeoutMs: 5_000,
    stopTimeoutMs: 2_000,
    env: { ...process.env, NO_COLOR: '1' },
    ...options,
  });
  return { supervisor, output: () => text };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Supervisor', () => {
  test('starts first instances, then siblings, then dependants, each after readiness', async (t) => {
    const specs = [
      await spec('users', 1, { env: { FAKE_READY_AFTER_MS: '200' } }),
      await spec('users', 2),
      await spec('gateway', 1, { after: ['users'] }),
    ];
    const { supervisor, output } = supervise(specs);
    t.after(() => supervisor.stop());
    const timeline: string[] = [];
    supervisor.on('spawn', ({ instance }) => timeline.push(`spawn ${instance}`));
    supervisor.on('ready', ({ instance }) => timeline.push(`ready ${instance}`));
    await supervisor.start();
    assert.deepEqual(timeline, [
      'spawn users-1',
      'ready users-1',
      'spawn users-2',
      'ready users-2',
      'spawn gateway-1',
      'ready gateway-1',
    ]);
    assert.deepEqual(
      supervisor.processes().map((p) => [p.instance, p.state, p.restarts]),
      [
        ['users-1', 'ready', 0],
        ['users-2', 'ready', 0],
        ['gateway-1', 'ready', 0],
      ],
    );
    assert.match(output(), new RegExp(`users-1 ready on http://127\\.0\\.0\\.1:${specs[0].port} \\(\\d`));
  });

  test('prefixes every line with the padded instance name and shows JSON logs compactly', async (t) => {
    const specs = [await spec('users', 1), await spec('gateway', 1)];
    const { supervisor, output } = supervise(specs);
    t.after(() => supervisor.stop());
    await supervisor.start();
    await supervisor.stop();
    const text = output();
    assert.match(text, /^users-1 {3}\| INFO {2}listening port=\d+$/m);
    assert.match(text, /^users-1 {3}\| plain line from users-1$/m);
    assert.match(text, /^gateway-1 \| stderr line from gateway-1$/m);
    assert.ok(!text.includes('\x1b['), 'no colour when the output is not a TTY');
  });

  test('restarts a child killed with SIGKILL, with backoff, and counts it', async (t) => {
    const specs = [await spec('users', 1)];
    const { supervisor, output } = supervise(specs, { backoff: { initialMs: 100 } });
    t.after(() => supervisor.stop());
    await supervisor.start();
    const firstPid = supervisor.processes()[0].pid!;

    const killedAt = performance.now();
    const restarted = once(supervisor, 'restart');
    assert.equal(supervisor.kill('users-1', 'SIGKILL'), true);
    const [event] = await restarted;
    assert.ok(performance.now() - killedAt >= 90, 'waits the backoff before restarting');
    assert.deepEqual(
      { ...event, pid: undefined },
      {
        instance: 'users-1',
        pid: undefined,
        restarts: 1,
        delayMs: 100,
        reason: 'killed by SIGKILL',
      },
    );
    await once(supervisor, 'ready');

    const again = once(supervisor, 'restart');
    supervisor.kill('users-1', 'SIGKILL');
    const [second] = await again;
    assert.equal(second.delayMs, 200, 'the delay doubles on a consecutive crash');
    await once(supervisor, 'ready');

    const [info] = supervisor.processes();
    assert.equal(info.restarts, 2);
    assert.equal(info.state, 'ready');
    assert.notEqual(info.pid, firstPid);
    assert.equal(alive(firstPid), false);
    assert.match(output(), /users-1 was killed by SIGKILL after .*; restarting in 100 ms/);
  });

  test('restarts a child that exits on its own', async (t) => {
    const specs = [await spec('users', 1, { env: { FAKE_EXIT_AFTER_MS: '300' } })];
    const { supervisor, output } = supervise(specs, { backoff: { initialMs: 50 } });
    t.after(() => supervisor.stop());
    await supervisor.start();
    const [event] = await once(supervisor, 'restart');
    assert.equal(event.reason, 'exited with code 3');
    assert.match(output(), /users-1 exited with code 3 after/);
  });

  test('stops everything, SIGKILLing a child that ignores SIGTERM, and leaves no process behind', async () => {
    const specs = [
      await spec('users', 1),
      await spec('users', 2, { env: { FAKE_IGNORE_SIGTERM: '1' } }),
      await spec('gateway', 1, { after: ['users'] }),
    ];
    const { supervisor, output } = supervise(specs, { stopTimeoutMs: 500 });
    const exits: string[] = [];
    supervisor.on('exit', ({ instance, signal, expected }) =>
      exits.push(`${instance} ${signal ?? 'exit'} ${expected}`),
    );
    await supervisor.start();
    const pids = supervisor.processes().map((p) => p.pid!);

    const stopping = performance.now();
    await supervisor.stop();
    const tookMs = performance.now() - stopping;

    assert.equal(exits[0], 'gateway-1 exit true', 'the dependant stops first');
    assert.ok(exits.includes('users-2 SIGKILL true'), exits.join(', '));
    assert.ok(tookMs >= 450 && tookMs < 3_000, `took ${tookMs} ms`);
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} is gone`);
    assert.ok(supervisor.processes().every((p) => p.state === 'stopped' && p.pid === undefined));
    assert.match(output(), /users-2 did not stop within 500 ms; sending SIGKILL/);
  });

  test('does not restart children after stop()', async () => {
    const specs = [await spec('users', 1)];
    const { supervisor } = supervise(specs, { backoff: { initialMs: 50 } });
    await supervisor.start();
    let restarts = 0;
    supervisor.on('restart', () => restarts++);
    supervisor.kill('users-1', 'SIGKILL');
    await supervisor.stop();
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(restarts, 0);
    assert.equal(supervisor.processes()[0].state, 'stopped');
  });

  test('rejects with NOT_READY naming the process and its last lines, and stops everything', async () => {
    const specs = [await spec('users', 1, { env: { FAKE_READY_AFTER_MS: '60000' } })];
    const { supervisor } = supervise(specs, { readyTimeoutMs: 500 });
    const exited = once(supervisor, 'exit');
    await assert.rejects(supervisor.start(), (error: unknown) => {
      assert.ok(WeftError.is(error));
      assert.equal(error.code, 'NOT_READY');
      assert.match(error.message, /users-1 is starting \(last probe: GET \/readyz answered 503\)/);
      assert.match(error.message, /plain line from users-1/);
      return true;
    });
    await exited;
    assert.equal(supervisor.processes()[0].pid, undefined);
  });

  test('start() rejects with SHUTTING_DOWN when stopped before all are ready', async () => {
    const specs = [await spec('users', 1, { env: { FAKE_READY_AFTER_MS: '60000' } })];
    const { supervisor } = supervise(specs);
    const spawned = once(supervisor, 'spawn');
    const starting = supervisor.start();
    await spawned;
    await supervisor.stop();
    await assert.rejects(starting, { code: 'SHUTTING_DOWN' });
  });

  test('rejects a topology whose services wait for each other', async () => {
    const specs = [await spec('a', 1, { after: ['b'] }), await spec('b', 1, { after: ['a'] })];
    assert.throws(() => new Supervisor(specs), /services wait for each other: a -> b -> a/);
  });
});
