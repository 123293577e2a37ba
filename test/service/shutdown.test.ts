import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defineService } from '../../src/service/index.ts';
import { sleep } from './helpers.ts';

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('close() lets an in-flight request finish, refuses new connections and runs onClose hooks once', async () => {
  const s = defineService({ name: 'drain', logger: false, shutdownTimeoutMs: 2_000 });
  const order: string[] = [];
  s.onClose(() => {
    order.push('store');
  });
  s.onClose(async () => {
    order.push('relay');
  });
  s.app.get('/slow', async () => {
    await sleep(150);
    order.push('handler done');
    return { ok: true };
  });
  const { url, port } = await s.listen({ port: 0 });
  assert.equal((await fetch(`${url}/healthz`)).status, 200, 'leaves an idle pooled connection behind');
  const slow = fetch(`${url}/slow`);
  await sleep(30);
  const started = performance.now();
  const first = s.close();
  const second = s.close();
  await sleep(10);
  assert.equal(await refused(port), true, 'new connections are refused once close began');
  const res = await slow;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true });
  await Promise.all([first, second]);
  assert.ok(performance.now() - started < 1_000, 'the idle keep-alive connection did not hold close open');
  assert.deepEqual(order, ['handler done', 'relay', 'store']);
  await s.close();
  assert.equal(order.length, 3, 'hooks ran once');
});

test('close() is bounded by shutdownTimeoutMs even with a stuck request', async () => {
  const s = defineService({ name: 'stuck', logger: false, shutdownTimeoutMs: 200, defaultDeadlineMs: 0 });
  let hooks = 0;
  s.onClose(() => {
    hooks++;
  });
  s.app.get('/stuck', () => new Promise(() => {}));
  const { url } = await s.listen({ port: 0 });
  const stuck = fetch(`${url}/stuck`).then(
    () => 'answered',
    () => 'cut',
  );
  await sleep(30);
  const started = performance.now();
  await s.close();
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 190 && elapsed < 1_000, `closed in ${elapsed} ms`);
  assert.equal(await stuck, 'cut');
  assert.equal(hooks, 1);
});

test('closeOnSignals: SIGTERM drains and exits 0', async () => {
  const script = fileURLToPath(new URL('./signal-child.ts', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const match = /listening (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
  });
  const slow = fetch(`${url}/slow`);
  await sleep(50);
  child.kill('SIGTERM');
  const res = await slow;
  assert.equal(res.status, 200);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0);
  assert.match(out, /store closed/);
});
