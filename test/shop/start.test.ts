import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePortRange } from '../support/ports.ts';
import { requireServer, servers } from '../support/servers.ts';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** Runs `weft start` as a user would, until it prints its hints; returns how to stop it. */
async function weftStart(args: string[]) {
  const base = await freePortRange(6);
  const child = spawn(process.execPath, ['src/cli/weft.ts', 'start', '--base-port', String(base), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const started = Date.now();
  while (!output.includes(`curl localhost:${base}/v1/users/usr_0001/orders/ord_00001`)) {
    if (child.exitCode !== null) throw new Error(`weft start exited early:\n${output}`);
    if (Date.now() - started > 90_000) {
      child.kill('SIGKILL');
      throw new Error(`weft start did not get ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    gateway: `http://127.0.0.1:${base}`,
    output: () => output,
    async stop(): Promise<number | null> {
      child.kill('SIGINT');
      return exited;
    },
  };
}

async function assertShopAnswers(gateway: string) {
  const composed = await fetch(`${gateway}/v1/users/usr_0001/orders/ord_00001`);
  assert.equal(composed.status, 200);
  const body = (await composed.json()) as { user: { id: string }; order: { id: string; userId: string } };
  assert.equal(body.user.id, 'usr_0001');
  assert.equal(body.order.userId, 'usr_0001');
  const page = await fetch(`${gateway}/v1/orders?userId=usr_0002&include=user,items.product&limit=20`);
  const items = ((await page.json()) as { items: Array<{ user: { id: string } }> }).items;
  assert.equal(items.length, 20);
  assert.ok(items.every((o) => o.user.id === 'usr_0002'));
  const v2 = await fetch(`${gateway}/v2/users/usr_0001`);
  assert.equal(v2.status, 200);
}

/** Pids whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // Field 4 of /proc/<pid>/stat is the parent pid; the name (field 2) may hold spaces, so split after it.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const skipPostgres = await requireServer('postgres');

describe('weft start', () => {
  it('brings the shop up on SQLite with no external server, and stops it cleanly on Ctrl-C', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'weft-start-'));
    try {
      // Log level info: the first run must show its seeding progress.
      const shop = await weftStart(['--data-dir', dataDir, '--log-level', 'info']);
      let stopped = false;
      try {
        await assertShopAnswers(shop.gateway);
        // Each owner has its own store file; the gateway has none.
        assert.deepEqual(
          readdirSync(dataDir)
            .filter((f) => f.endsWith('.db'))
            .sort(),
          ['inventory.db', 'orders.db', 'users.db'],
        );
        const output = shop.output();
        assert.match(output, /seeding 20000 orders/);
        const children = childrenOf(shop.pid);
        assert.equal(children.length, 6, 'one process per instance');
        stopped = true;
        assert.equal(await shop.stop(), 0, shop.output());
        for (const pid of children) assert.ok(!alive(pid), `child ${pid} is gone`);
      } finally {
        if (!stopped) await shop.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('runs the same shop on PostgreSQL with --store postgres', { skip: skipPostgres }, async () => {
    const database = `weft_e2e_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: servers.postgres.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    try {
      const url = new URL(servers.postgres.url);
      url.pathname = `/${database}`;
      const shop = await weftStart([
        '--store',
        'postgres',
        '--database-url',
        url.toString(),
        '--log-level',
        'warn',
      ]);
      try {
        await assertShopAnswers(shop.gateway);
        const check = new pg.Client({ connectionString: url.toString() });
        await check.connect();
        const { rows } = await check.query(
          "SELECT table_schema FROM information_schema.tables WHERE table_name IN ('users','orders','products') ORDER BY 1",
        );
        await check.end();
        assert.deepEqual(
          rows.map((r) => r.table_schema),
          ['inventory', 'orders', 'users'],
        );
      } finally {
        assert.equal(await shop.stop(), 0, shop.output());
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });
});
