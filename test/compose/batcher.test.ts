import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher } from '../../src/compose/batcher.ts';
import { PartialResult } from '../../src/compose/index.ts';
import { Deadline, runWithContext } from '../../src/context/index.ts';
import { WeftError } from '../../src/errors/index.ts';

/** A batcher over an in-memory table that records every call it makes. */
function recording(table: Record<string, string>, options: { delayMs?: number; maxBatchSize?: number } = {}) {
  const calls: string[][] = [];
  const batcher = new Batcher<string>({
    maxBatchSize: options.maxBatchSize,
    async loadMany(ids) {
      calls.push([...ids]);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      return new Map(ids.filter((id) => id in table).map((id) => [id, table[id]]));
    },
  });
  return { batcher, calls };
}

const context = (ms: number) => {
  const deadline = Deadline.after(ms);
  return { requestId: `r${ms}`, deadline, signal: deadline.signal, propagate: {} };
};

describe('Batcher', () => {
  it('loads the ids asked for in one turn with one call, each id once', async () => {
    const { batcher, calls } = recording({ a: 'A', b: 'B', c: 'C' });
    const values = await Promise.all(['a', 'b', 'a', 'c', 'b'].map((id) => batcher.load(id)));
    assert.deepEqual(values, ['A', 'B', 'A', 'C', 'B']);
    assert.deepEqual(calls, [['a', 'b', 'c']]);
  });

  it('shares one call between concurrent requests in different contexts', async () => {
    const { batcher, calls } = recording({ a: 'A', b: 'B' });
    const values = await Promise.all([
      runWithContext(context(1000), () => batcher.load('a')),
      runWithContext(context(2000), () => batcher.load('b')),
    ]);
    assert.deepEqual(values, ['A', 'B']);
    assert.equal(calls.length, 1);
  });

  it('answers undefined for ids the owner reports missing', async () => {
    const { batcher } = recording({ a: 'A' });
    assert.deepEqual(
      [...(await batcher.loadAll(['a', 'zz']))],
      [
        ['a', 'A'],
        ['zz', undefined],
      ],
    );
  });

  it('splits more ids than the batch limit into several calls', async () => {
    const table = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, `v${i}`]));
    const { batcher, calls } = recording(table);
    const values = await batcher.loadAll(Object.keys(table));
    assert.equal(values.size, 250);
    assert.deepEqual(
      calls.map((c) => c.length),
      [100, 100, 50],
    );
  });

  it('starts a new window once a call is under way', async () => {
    const { batcher, calls } = recording({ a: 'A', b: 'B' }, { delayMs: 5 });
    await batcher.load('a');
    await batcher.load('b');
    assert.deepEqual(calls, [['a'], ['b']]);
  });

  it('rejects every waiter of a failed call with its error', async () => {
    const batcher = new Batcher<string>({
      loadMany: async () => {
        throw new WeftError('UPSTREAM_UNAVAILABLE', 'down');
      },
    });
    const results = await Promise.allSettled([batcher.load('a'), batcher.load('b')]);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.equal((result as PromiseRejectedResult).reason.code, 'UPSTREAM_UNAVAILABLE');
    }
  });

  it("runs a shared call under the latest of its callers' deadlines, and lets a short one leave early", async () => {
    let seenRemaining = 0;
    const batcher = new Batcher<string>({
      async loadMany(ids) {
        const { currentContext } = await import('../../src/context/index.ts');
        seenRemaining = currentContext()?.deadline?.remainingMs() ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 60));
        return new Map(ids.map((id) => [id, id.toUpperCase()]));
      },
    });
    const [short, long] = await Promise.allSettled([
      runWithContext(context(20), () => batcher.load('a')),
      runWithContext(context(5000), () => batcher.load('b')),
    ]);
    assert.equal(short.status, 'rejected');
    assert.equal((short as PromiseRejectedResult).reason.code, 'DEADLINE_EXCEEDED');
    assert.deepEqual(long, { status: 'fulfilled', value: 'B' });
    assert.ok(seenRemaining > 1000, `shared call saw ${seenRemaining} ms left`);
  });

  it('validates its options', () => {
    assert.throws(() => new Batcher({ loadMany: async () => new Map(), maxBatchSize: 0 }), /maxBatchSize/);
  });
});

describe('PartialResult', () => {
  it('records a failed optional part and keeps the answer', async () => {
    const partial = new PartialResult();
    const value = await partial.optional('orders', Promise.reject(new WeftError('UPSTREAM_TIMEOUT', 'slow')));
    assert.equal(value, undefined);
    assert.deepEqual(partial.finish({ id: 'u' }), {
      id: 'u',
      errors: [{ path: 'orders', code: 'UPSTREAM_TIMEOUT', detail: 'slow' }],
    });
  });

  it('adds no errors field when every part succeeded', async () => {
    const partial = new PartialResult();
    assert.equal(await partial.optional('orders', Promise.resolve(3)), 3);
    assert.deepEqual(partial.finish({ id: 'u' }), { id: 'u' });
  });

  it('hides the detail of internal errors', async () => {
    const partial = new PartialResult();
    await partial.optional('x', Promise.reject(new Error('secret token abc')));
    assert.deepEqual(partial.errors, [{ path: 'x', code: 'INTERNAL', detail: 'Internal error' }]);
  });
});
