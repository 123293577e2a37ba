import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgresStore, openStore } from '../../src/store/index.ts';
import { requireServer, servers } from '../support/servers.ts';
import { storeContract } from './store-contract.ts';

const skip = await requireServer('postgres');
const url = servers.postgres.url;
// One schema per run, so parallel runs and leftovers never meet.
const schema = `weft_store_test_${process.pid}_${randomBytes(3).toString('hex')}`;

async function dropSchema(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${name}" cascade`);
  } finally {
    await client.end();
  }
}

describe('postgres', { skip }, () => {
  after(() => dropSchema(schema));

  storeContract(
    'postgres store',
    () => openPostgresStore({ url, schema, maxConnections: 5 }),
    () => dropSchema(schema),
  );

  describe('postgres store specifics', () => {
    it('creates its schema and puts tables there through search_path', async () => {
      const store = await openStore({ kind: 'postgres', url, schema });
      await store.db.schema.createTable('placed').addColumn('id', 'integer').execute();
      const row = await store.db
        .selectFrom('information_schema.tables')
        .select('table_schema')
        .where('table_name', '=', 'placed')
        .executeTakeFirstOrThrow();
      assert.equal(row.table_schema, schema);
      await store.close();
      await dropSchema(schema);
    });

    it('parses int8 as a number when safe and keeps the exact string otherwise', async () => {
      const store = await openPostgresStore({ url, schema });
      const { rows } = await sql<{
        small: unknown;
        big: unknown;
        n: unknown;
      }>`select 42::int8 as small, 9007199254740993::int8 as big, 1.50::numeric as n`.execute(store.db);
      assert.deepEqual(rows[0], { small: 42, big: '9007199254740993', n: '1.50' });
      await store.close();
      await dropSchema(schema);
    });

    it('leaves the global pg type parsers untouched', async () => {
      const store = await openPostgresStore({ url, schema });
      await store.ping();
      assert.equal(pg.types.getTypeParser(20, 'text')('42'), '42');
      await store.close();
      await dropSchema(schema);
    });

    it('fails to open with NOT_READY when the server is unreachable', async () => {
      await assert.rejects(openPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/postgres', schema }), {
        code: 'NOT_READY',
      });
    });
  });
});

describe('postgres store options', () => {
  it('rejects a bad option naming it, without echoing the URL', async () => {
    await assert.rejects(
      openPostgresStore({ url: 'mysql://u:secret@h/db', schema: 'users' }),
      (error: Error) => {
        assert.equal(error.name, 'TypeError');
        assert.equal(
          error.message,
          'openPostgresStore: options.url must be a postgres:// or postgresql:// URL',
        );
        return true;
      },
    );
    await assert.rejects(openPostgresStore({ url, schema: 'Users; drop' }), {
      name: 'TypeError',
      message: /options\.schema must be a lower-case identifier .* got "Users; drop"/,
    });
    await assert.rejects(openPostgresStore({ url, schema: 'users', maxConnections: 0 }), {
      name: 'TypeError',
      message: 'openPostgresStore: options.maxConnections must be an integer in 1..1000, got 0',
    });
  });
});
