import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const WEFT = fileURLToPath(new URL('../../src/cli/weft.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAKE_TOPOLOGY = fileURLToPath(new URL('./fixtures/fake-topology.ts', import.meta.url));
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('weft command', () => {
  test('weft start --help exits 0 and lists the options', async () => {
    const { stdout } = await run(process.execPath, [WEFT, 'start', '--help'], { cwd: ROOT });
    for (const option of [
      '--config',
      '--store sqlite|postgres',
      '--database-url',
      '--data-dir',
      '--host',
      '--base-port',
      '--users-instances',
      '--orders-port',
    ]) {
      assert.ok(stdout.includes(option), `lists ${option}`);
    }
    assert.match(stdout, /default "\.\/data"; env WEFT_DATA_DIR/);
  });

  test('weft --help lists the start command', async () => {
    const { stdout } = await run(process.execPath, [WEFT, '--help']);
    assert.match(stdout, /^ {2}start /m);
  });

  test('an unknown command exits 2', async () => {
    await assert.rejects(
      run(process.execPath, [WEFT, 'frobnicate']),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(error.stderr, /unknown command "frobnicate"/);
        return true;
      },
    );
  });

  test('weft start rejects a bad option value with exit 2, naming it', async () => {
    await assert.rejects(
      run(process.execPath, [WEFT, 'start', '--store', 'mysql'], { cwd: ROOT }),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 2);
        assert.match(
          error.stderr,
          /store must be one of sqlite, postgres, got "mysql" \(from flag --store\)/,
        );
        return true;
      },
    );
  });

  test('weft start runs a topology, prints the URLs once ready and exits 0 on SIGTERM', async () => {
    const [usersPort, gatewayPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [
        WEFT,
        'start',
        '--topology',
        FAKE_TOPOLOGY,
        '--users-port',
        String(usersPort),
        '--gateway-port',
        String(gatewayPort),
      ],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!signalled && stdout.includes('Ctrl-C stops everything')) signalled = child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /all 2 processes ready/);
    assert.match(stdout, new RegExp(`gateway {2}http://127\\.0\\.0\\.1:${gatewayPort}`));
    assert.match(stdout, /curl fake\/readyz/);
    assert.match(stdout, /stopping gateway-1[\s\S]*stopping users-1[\s\S]*all processes stopped/);
  });
});
