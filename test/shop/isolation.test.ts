import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shop = resolve(root, 'examples/shop');
const services = ['users', 'orders', 'inventory', 'gateway'] as const;

/** Every file reachable from `entry` through relative static or dynamic imports. */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      pending.push(resolve(dirname(file), match[1]));
    }
  }
  return seen;
}

const shopPath = (file: string) => relative(shop, file);

describe('store isolation: no service touches another service’s store', () => {
  for (const service of services) {
    const graph = [...importGraph(resolve(shop, service, 'main.ts'))];

    it(`${service} imports no code of another service`, () => {
      const foreign = graph.filter((file) => {
        const path = shopPath(file);
        return services.some((other) => other !== service && path.startsWith(`${other}/`));
      });
      assert.deepEqual(foreign.map(shopPath), []);
    });
  }

  it('the gateway reaches no store at all, only the owners’ APIs', () => {
    const graph = [...importGraph(resolve(shop, 'gateway', 'main.ts'))].map((file) => relative(root, file));
    assert.deepEqual(
      graph.filter((path) => path.startsWith('src/store/') || path.endsWith('-store.ts')),
      [],
    );
  });

  it('each owner’s table is named only in its own folder', () => {
    const tables = { users: 'users', orders: 'orders', inventory: 'products' } as const;
    for (const [owner, table] of Object.entries(tables)) {
      for (const service of services) {
        if (service === owner) continue;
        for (const file of importGraph(resolve(shop, service, 'main.ts'))) {
          const source = readFileSync(file, 'utf8');
          const query = new RegExp(
            `(selectFrom|insertInto|updateTable|deleteFrom|createTable)\\(\\s*'${table}'`,
          );
          assert.ok(
            !query.test(source),
            `${shopPath(file)} (reached from ${service}) queries ${owner}'s ${table}`,
          );
        }
      }
    }
  });

  it('the check itself sees a planted cross-service import', () => {
    // Guards the guard: the scanner must follow relative imports across folders.
    const graph = [...importGraph(resolve(shop, 'users', 'main.ts'))].map(shopPath);
    assert.ok(graph.includes('users/users-store.ts'));
    assert.ok(graph.includes('runtime.ts'));
  });
});
