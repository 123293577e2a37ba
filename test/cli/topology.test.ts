import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hints, settings as shopSettings, topology as shopTopology } from '../../examples/shop/topology.ts';
import { type ProcessSpec, planStages, startSettings } from '../../src/cli/index.ts';
import { loadConfig, mergeSettings } from '../../src/config/index.ts';

function spec(service: string, n: number, after?: string[]): ProcessSpec {
  return { service, instance: `${service}-${n}`, entry: 'x.ts', port: 1000 + n, env: {}, after };
}

async function shop(argv: string[] = [], env: Record<string, string> = {}) {
  const config = await loadConfig({
    settings: mergeSettings(startSettings, shopSettings),
    argv,
    env,
    file: false,
  });
  return shopTopology(config);
}

describe('planStages', () => {
  test('starts first instances alone, then their siblings, then dependants', () => {
    const stages = planStages([
      spec('users', 1),
      spec('users', 2),
      spec('orders', 1),
      spec('gateway', 1, ['users', 'orders']),
      spec('orders', 2),
    ]);
    assert.deepEqual(
      stages.map((stage) => [stage.level, stage.specs.map((s) => s.instance)]),
      [
        [0, ['users-1', 'orders-1']],
        [0, ['users-2', 'orders-2']],
        [1, ['gateway-1']],
      ],
    );
  });

  test('rejects an after naming a service without processes', () => {
    assert.throws(
      () => planStages([spec('gateway', 1, ['users'])]),
      /gateway starts after users, which has no process/,
    );
  });

  test('rejects an instance named twice', () => {
    assert.throws(() => planStages([spec('users', 1), spec('users', 1)]), /instance users-1 appears twice/);
  });
});

describe('shop topology', () => {
  test('runs users x2, orders x2, inventory and the gateway on 8080-8085 by default', async () => {
    const specs = await shop();
    assert.deepEqual(
      specs.map((s) => [s.instance, s.port, s.entry]),
      [
        ['users-1', 8081, 'examples/shop/users/main.ts'],
        ['users-2', 8082, 'examples/shop/users/main.ts'],
        ['orders-1', 8083, 'examples/shop/orders/main.ts'],
        ['orders-2', 8084, 'examples/shop/orders/main.ts'],
        ['inventory-1', 8085, 'examples/shop/inventory/main.ts'],
        ['gateway-1', 8080, 'examples/shop/gateway/main.ts'],
      ],
    );
    assert.deepEqual(
      planStages(specs)
        .at(-1)
        ?.specs.map((s) => s.instance),
      ['gateway-1'],
    );
  });

  test('gives every process the process-convention env with all upstream URLs', async () => {
    const specs = await shop();
    const orders2 = specs.find((s) => s.instance === 'orders-2')!;
    assert.deepEqual(orders2.env, {
      PORT: '8084',
      HOST: '127.0.0.1',
      WEFT_INSTANCE: 'orders-2',
      WEFT_STORE: 'sqlite',
      WEFT_DATA_DIR: './data',
      WEFT_LOG_LEVEL: 'info',
      WEFT_SEED: '1',
      WEFT_UPSTREAM_USERS: 'http://127.0.0.1:8081,http://127.0.0.1:8082',
      WEFT_UPSTREAM_ORDERS: 'http://127.0.0.1:8083,http://127.0.0.1:8084',
      WEFT_UPSTREAM_INVENTORY: 'http://127.0.0.1:8085',
    });
  });

  test('follows the configured base port, instance counts, store and database URL', async () => {
    const specs = await shop(
      ['--base-port', '9000', '--store', 'postgres', '--database-url', 'postgres://db/shop'],
      {
        WEFT_USERS_INSTANCES: '3',
        WEFT_INVENTORY_PORT: '9500',
      },
    );
    assert.deepEqual(
      specs.map((s) => `${s.instance}:${s.port}`),
      [
        'users-1:9001',
        'users-2:9002',
        'users-3:9003',
        'orders-1:9004',
        'orders-2:9005',
        'inventory-1:9500',
        'gateway-1:9000',
      ],
    );
    assert.equal(specs[0].env.WEFT_STORE, 'postgres');
    assert.equal(specs[0].env.WEFT_DATABASE_URL, 'postgres://db/shop');
  });

  test('suggests curl lines against the gateway', async () => {
    assert.ok(hints(await shop()).includes('curl localhost:8080/v1/users/usr_0001/orders/ord_00001'));
  });
});
