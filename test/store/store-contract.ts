import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { isUniqueViolation, type Migration, type Store } from '../../src/store/index.ts';

async function createItems(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('items')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('qty', 'integer', (column) => column.notNull())
    .execute();
}

async function itemIds(db: Kysely<any>): Promise<string[]> {
  const rows = await db.selectFrom('items').select('id').orderBy('id').execute();
  return rows.map((row) => row.id as string);
}

/**
 * The behaviour every Store implementation promises. `open` returns a new Store on the same
 * backing database each time it is called (so a case can open two, as two processes would);
 * `cleanup` runs after each case, once the stores the case opened are closed, and must leave
 * the backing database empty.
 */
export function storeContract(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  describe(name, () => {
    const opened: Store[] = [];
    const openStore = async (): Promise<Store> => {
      const store = await open();
      opened.push(store);
      return store;
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await cleanup?.();
    });

    it('creates, reads, updates and deletes rows through kysely', async () => {
      const store = await openStore();
      await createItems(store.db);
      await store.db.insertInto('items').values({ id: 'a', name: 'apple', qty: 3 }).execute();
      const inserted = await store.db
        .selectFrom('items')
        .selectAll()
        .where('id', '=', 'a')
        .executeTakeFirst();
      assert.deepEqual(inserted, { id: 'a', name: 'apple', qty: 3 });
      const updated = await store.db
        .updateTable('items')
        .set({ qty: 4 })
        .where('id', '=', 'a')
        .executeTakeFirst();
      assert.equal(updated.numUpdatedRows, 1n);
      assert.equal((await store.db.selectFrom('items').select('qty').executeTakeFirstOrThrow()).qty, 4);
      const counted = await store.db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(counted.n, 1, 'count(*) comes back as a number on both engines');
      await store.db.deleteFrom('items').where('id', '=', 'a').execute();
      assert.deepEqual(await itemIds(store.db), []);
    });

    it('commits a transaction and returns its result', async () => {
      const store = await openStore();
      await createItems(store.db);
      const result = await store.transaction(async (trx) => {
        await trx.insertInto('items').values({ id: 'a', name: 'apple', qty: 1 }).execute();
        await trx.insertInto('items').values({ id: 'b', name: 'bean', qty: 2 }).execute();
        return 'done';
      });
      assert.equal(result, 'done');
      assert.deepEqual(await itemIds(store.db), ['a', 'b']);
    });

    it('rolls back everything when the transaction function throws', async () => {
      const store = await openStore();
      await createItems(store.db);
      const failure = new Error('boom');
      await assert.rejects(
        store.transaction(async (trx) => {
          await trx.insertInto('items').values({ id: 'a', name: 'apple', qty: 1 }).execute();
          throw failure;
        }),
        (error) => error === failure,
      );
      assert.deepEqual(await itemIds(store.db), []);
    });

    it('rolls back with DEADLINE_EXCEEDED when the signal aborts mid-transaction', async () => {
      const store = await openStore();
      await createItems(store.db);
      const controller = new AbortController();
      let reachedSecondQuery = false;
      await assert.rejects(
        store.transaction(
          async (trx) => {
            await trx.insertInto('items').values({ id: 'a', name: 'apple', qty: 1 }).execute();
            controller.abort();
            await trx.insertInto('items').values({ id: 'b', name: 'bean', qty: 1 }).execute();
            reachedSecondQuery = true;
          },
          { signal: controller.signal },
        ),
        { code: 'DEADLINE_EXCEEDED' },
      );
      assert.equal(reachedSecondQuery, false);
      assert.deepEqual(await itemIds(store.db), []);
    });

    it('does not commit when the signal aborts after the last query', async () => {
      const store = await openStore();
      await createItems(store.db);
      const controller = new AbortController();
      await assert.rejects(
        store.transaction(
          async (trx) => {
            await trx.insertInto('items').values({ id: 'a', name: 'apple', qty: 1 }).execute();
            controller.abort();
          },
          { signal: controller.signal },
        ),
        { code: 'DEADLINE_EXCEEDED' },
      );
      assert.deepEqual(await itemIds(store.db), []);
    });

    it('withSignal runs queries until the signal aborts, then rejects with DEADLINE_EXCEEDED', async () => {
      const store = await openStore();
      await createItems(store.db);
      const controller = new AbortController();
      const db = store.withSignal(controller.signal);
      await db.insertInto('items').values({ id: 'a', name: 'apple', qty: 1 }).execute();
      controller.abort(new Error('caller gone'));
      await assert.rejects(db.selectFrom('items').selectAll().execute(), (error: any) => {
        assert.equal(error.code, 'DEADLINE_EXCEEDED');
        assert.equal(error.cause.message, 'caller gone');
        return true;
      });
      await assert.rejects(sql`select 1`.execute(db), { code: 'DEADLINE_EXCEEDED' });
      assert.equal(store.withSignal(undefined), store.db);
    });

    it('migrate applies each migration once, in order, and is idempotent', async () => {
      const store = await openStore();
      const calls: string[] = [];
      const migration = (name: string, table: string): Migration => ({
        name,
        async up(db) {
          calls.push(name);
          await db.schema.createTable(table).addColumn('id', 'integer').execute();
        },
      });
      const first = [migration('001-a', 'mig_a'), migration('002-b', 'mig_b')];
      await store.migrate(first);
      await store.migrate(first);
      assert.deepEqual(calls, ['001-a', '002-b']);
      await store.migrate([...first, migration('003-c', 'mig_c')]);
      assert.deepEqual(calls, ['001-a', '002-b', '003-c']);
      const recorded = await store.db
        .selectFrom('weft_migrations')
        .select(['name', 'position'])
        .orderBy('position')
        .execute();
      assert.deepEqual(recorded, [
        { name: '001-a', position: 1 },
        { name: '002-b', position: 2 },
        { name: '003-c', position: 3 },
      ]);
      await store.db.insertInto('mig_c').values({ id: 1 }).execute();
    });

    it('migrate rolls back a failing migration and records nothing of that run', async () => {
      const store = await openStore();
      const migrations: Migration[] = [
        { name: '001-ok', up: (db) => db.schema.createTable('mig_ok').addColumn('id', 'integer').execute() },
        {
          name: '002-fails',
          async up() {
            throw new Error('bad migration');
          },
        },
      ];
      await store.migrate([]);
      await assert.rejects(store.migrate(migrations), /bad migration/);
      assert.deepEqual(await store.db.selectFrom('weft_migrations').select('name').execute(), []);
      await assert.rejects(store.db.selectFrom('mig_ok').selectAll().execute());
    });

    it('migrate rejects duplicate or empty migration names before running any', async () => {
      const store = await openStore();
      let ran = false;
      const up = async () => {
        ran = true;
      };
      await assert.rejects(
        store.migrate([
          { name: 'x', up },
          { name: 'x', up },
        ]),
        {
          name: 'TypeError',
          message: 'migrate: migration name "x" appears twice',
        },
      );
      await assert.rejects(store.migrate([{ name: '', up }]), {
        name: 'TypeError',
        message: 'migrate: migrations[0].name must be a non-empty string, got ""',
      });
      assert.equal(ran, false);
    });

    it('migrate from two stores at once applies each migration exactly once', async () => {
      const [one, two] = await Promise.all([openStore(), openStore()]);
      const calls: string[] = [];
      const migrations: Migration[] = ['001-a', '002-b', '003-c'].map((name, index) => ({
        name,
        async up(db) {
          calls.push(name);
          // Yield, so the other store gets every chance to interleave.
          await new Promise((resolve) => setTimeout(resolve, 5));
          await db.schema.createTable(`race_${index}`).addColumn('id', 'integer').execute();
        },
      }));
      await Promise.all([one.migrate(migrations), two.migrate(migrations), one.migrate(migrations)]);
      assert.deepEqual(calls, ['001-a', '002-b', '003-c']);
      const recorded = await two.db
        .selectFrom('weft_migrations')
        .select('name')
        .orderBy('position')
        .execute();
      assert.deepEqual(
        recorded.map((row) => row.name),
        ['001-a', '002-b', '003-c'],
      );
    });

    it('ping answers while open and fails with NOT_READY after close', async () => {
      const store = await openStore();
      await store.ping();
      await store.ping(new AbortController().signal);
      await assert.rejects(store.ping(AbortSignal.abort()), { code: 'DEADLINE_EXCEEDED' });
      await store.close();
      await store.close();
      await assert.rejects(store.ping(), { code: 'NOT_READY' });
    });

    it('close releases a store that never ran a query', async () => {
      const store = await openStore();
      await store.close();
      await assert.rejects(store.ping(), { code: 'NOT_READY' });
    });

    it('isUniqueViolation detects a duplicate key, also when wrapped, and nothing else', async () => {
      const store = await openStore();
      await createItems(store.db);
      await store.db.insertInto('items').values({ id: 'a', name: 'apple', qty: 1 }).execute();
      const duplicate = await store.db
        .insertInto('items')
        .values({ id: 'a', name: 'again', qty: 1 })
        .execute()
        .then(
          () => assert.fail('duplicate insert succeeded'),
          (error: unknown) => error,
        );
      assert.equal(isUniqueViolation(duplicate), true);
      assert.equal(isUniqueViolation(new Error('wrapped', { cause: duplicate })), true);
      const notNull = await store.db
        .insertInto('items')
        .values({ id: 'b', name: null, qty: 1 })
        .execute()
        .then(
          () => assert.fail('null insert succeeded'),
          (error: unknown) => error,
        );
      assert.equal(isUniqueViolation(notNull), false);
      assert.equal(isUniqueViolation(undefined), false);
      assert.equal(isUniqueViolation(new Error('x')), false);
    });

    it('50 concurrent transactions incrementing a counter lose no update, interleaved with plain reads', async () => {
      const store = await openStore();
      await store.db.schema
        .createTable('counters')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('n', 'integer', (column) => column.notNull())
        .execute();
      await store.db.insertInto('counters').values({ id: 'c', n: 0 }).execute();
      const increments = Array.from({ length: 50 }, () =>
        store.transaction(async (trx) => {
          const row = await trx
            .updateTable('counters')
            .set((eb) => ({ n: eb('n', '+', 1) }))
            .where('id', '=', 'c')
            .returning('n')
            .executeTakeFirstOrThrow();
          await trx.selectFrom('counters').select('n').execute();
          return row.n as number;
        }),
      );
      const reads = Array.from({ length: 50 }, () => store.db.selectFrom('counters').select('n').execute());
      const [seen] = await Promise.all([Promise.all(increments), Promise.all(reads)]);
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        Array.from({ length: 50 }, (_, index) => index + 1),
      );
      const final = await store.db.selectFrom('counters').select('n').executeTakeFirstOrThrow();
      assert.equal(final.n, 50);
    });
  });
}
