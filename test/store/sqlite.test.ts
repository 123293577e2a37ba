import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { openSqliteStore, openStore } from '../../src/store/index.ts';
import { storeContract } from './store-contract.ts';

const root = await mkdtemp(join(tmpdir(), 'weft-store-'));
const file = join(root, 'contract', 'service.db');
after(() => rm(root, { recursive: true, force: true }));

storeContract(
  'sqlite store',
  () => openSqliteStore({ file }),
  async () => {
    await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(file + suffix, { force: true })));
  },
);

describe('sqlite store specifics', () => {
  it('stops waiting for another connection’s write lock when the signal aborts, freeing the store', async () => {
    const shared = join(root, 'locked.db');
    const holder = await openSqliteStore({ file: shared });
    const waiter = await openSqliteStore({ file: shared });
    await holder.db.schema.createTable('t').addColumn('v', 'integer').execute();
    let release!: () => void;
    const held = holder.transaction(async (trx) => {
      await trx.insertInto('t').values({ v: 1 }).execute();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    const aborted = waiter
      .transaction((trx) => trx.insertInto('t').values({ v: 2 }).execute(), {
        signal: AbortSignal.timeout(100),
      })
      .then(
        () => 'committed',
        (error: { code?: string }) => error.code,
      );
    assert.equal(await aborted, 'DEADLINE_EXCEEDED');
    const waitedMs = performance.now() - started;
    // A read on the same store is not stuck behind the abandoned transaction.
    const readStarted = performance.now();
    await waiter.db.selectFrom('t').selectAll().execute();
    const readMs = performance.now() - readStarted;
    release();
    await held;
    const rows = await holder.db.selectFrom('t').select('v').execute();
    await Promise.all([holder.close(), waiter.close()]);
    assert.ok(waitedMs < 1_000, `gave up after ${waitedMs} ms, not the 5 s busy timeout`);
    assert.ok(readMs < 1_000, `a read waited ${readMs} ms`);
    assert.deepEqual(
      rows.map((r) => r.v),
      [1],
      'the abandoned write never ran',
    );
  });

  it('creates the parent directory and keeps data across reopening', async () => {
    const nested = join(root, 'a', 'b', 'c', 'users.db');
    const first = await openStore({ kind: 'sqlite', file: nested });
    await first.db.schema.createTable('kv').addColumn('k', 'text').addColumn('v', 'text').execute();
    await first.db
      .insertInto('kv')
      .values({ k: 'doc', v: JSON.stringify({ a: [1, 2] }) })
      .execute();
    await first.close();
    const second = await openSqliteStore({ file: nested });
    const row = await second.db.selectFrom('kv').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(row.v), { a: [1, 2] });
    await second.close();
  });

  it('sets WAL, NORMAL synchronous, foreign keys and a busy timeout on open', async () => {
    const store = await openSqliteStore({ file: join(root, 'pragmas.db') });
    const pragma = async (name: string) =>
      Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] as object)[0];
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('synchronous'), 1);
    assert.equal(await pragma('foreign_keys'), 1);
    assert.equal(await pragma('busy_timeout'), 5000);
    await store.close();
  });

  it('opens a private in-memory database for :memory:', async () => {
    const one = await openSqliteStore({ file: ':memory:' });
    const two = await openSqliteStore({ file: ':memory:' });
    await one.db.schema.createTable('only_here').addColumn('id', 'integer').execute();
    await assert.rejects(two.db.selectFrom('only_here').selectAll().execute(), /no such table/);
    await Promise.all([one.close(), two.close()]);
  });

  it('returns plain objects, so rows compare deeply with literals', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    const rows = await sql`select 1 as one, 'x' as ex`.execute(store.db);
    assert.equal(Object.getPrototypeOf(rows.rows[0]), Object.prototype);
    assert.deepEqual(rows.rows, [{ one: 1, ex: 'x' }]);
    await store.close();
  });

  it('a cached statement sees a column added after it was first prepared', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    await store.db.schema.createTable('t').addColumn('a', 'integer').execute();
    await store.db.insertInto('t').values({ a: 1 }).execute();
    assert.deepEqual(await store.db.selectFrom('t').selectAll().execute(), [{ a: 1 }]);
    await store.db.schema.alterTable('t').addColumn('b', 'integer').execute();
    assert.deepEqual(await store.db.selectFrom('t').selectAll().execute(), [{ a: 1, b: null }]);
    await store.close();
  });

  it('enforces foreign keys', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    await store.db.schema
      .createTable('parent')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
    await store.db.schema
      .createTable('child')
      .addColumn('parent_id', 'integer', (c) => c.references('parent.id'))
      .execute();
    await assert.rejects(store.db.insertInto('child').values({ parent_id: 7 }).execute(), /FOREIGN KEY/);
    await store.close();
  });

  it('rejects a bad file option naming the option and the value', async () => {
    await assert.rejects(openSqliteStore({ file: '' }), {
      name: 'TypeError',
      message: `openSqliteStore: options.file must be a file path or ':memory:', got ""`,
    });
    await assert.rejects(openStore({ kind: 'mysql' } as never), {
      name: 'TypeError',
      message: `openStore: options.kind must be 'sqlite' or 'postgres', got "mysql"`,
    });
  });

  it('never loads the pg driver', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const { openSqliteStore } = await import(${JSON.stringify(fileURLToPath(new URL('../../src/store/index.ts', import.meta.url)))});
      const store = await openSqliteStore({ file: ':memory:' });
      await store.ping();
      await store.close();
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('/node_modules/pg/'));
      console.log(JSON.stringify(loaded));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    assert.deepEqual(JSON.parse(stdout), []);
  });
});
