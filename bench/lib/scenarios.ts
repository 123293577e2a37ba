/**
 * The scenario registry. Each HTTP scenario knows how to pick a random request from the documented
 * seed (in JavaScript for autocannon and for the correctness probe, in Lua for wrk — the two must
 * pick from the same space) and how to check an answer. Event scenarios (events per second,
 * commit-to-applied lag) will join as another `kind` with their own runner.
 */
import { orderId, SEED_ORDERS_PER_USER, SEED_USERS, userId } from '../../examples/shop/seed-data.ts';

/** A uniform random source in [0, 1), injectable so probes and tests are deterministic. */
export type Random = () => number;

/** One request a scenario picked, with what a correct answer must contain. */
export interface Pick {
  path: string;
  expect: { status: number; userId: string; orderId?: string };
}

/** A load scenario against a stack's gateway over HTTP GET. */
export interface HttpScenario {
  kind: 'http';
  id: string;
  title: string;
  route: string;
  pick(random: Random): Pick;
  /** Lua statements that set a local `path` using math.random (run inside wrk's request()). */
  lua: string;
  /** Requests that must answer a specific error, checked once before measuring. */
  negative: Pick[];
  /** Null when `body` is a correct answer to `pick`, else what is wrong. */
  check(pick: Pick, status: number, body: unknown): string | null;
}

/** Room for later kinds (event throughput, commit-to-applied lag); only `http` runs today. */
export type Scenario = HttpScenario;

const randomInt = (random: Random, max: number) => 1 + Math.floor(random() * max);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function checkUser(user: unknown, id: string, where: string): string | null {
  if (!isObject(user)) return `${where} is not an object`;
  if (user.id !== id) return `${where}.id is ${String(user.id)}, expected ${id}`;
  if (typeof user.email !== 'string') return `${where}.email is missing`;
  return null;
}

function checkOrder(order: unknown, id: string | undefined, owner: string, where: string): string | null {
  if (!isObject(order)) return `${where} is not an object`;
  if (id !== undefined && order.id !== id) return `${where}.id is ${String(order.id)}, expected ${id}`;
  if (order.userId !== owner) return `${where}.userId is ${String(order.userId)}, expected ${owner}`;
  if (!Array.isArray(order.items) || typeof order.totalCents !== 'number') {
    return `${where} lacks items or totalCents`;
  }
  return null;
}

/** S1: one user and one of its orders, composed from two owners read in parallel. */
export const userOrder: HttpScenario = {
  kind: 'http',
  id: 'S1',
  title: 'user + order',
  route: 'GET /v1/users/{u}/orders/{o}',
  pick(random) {
    const u = randomInt(random, SEED_USERS);
    const o = (u - 1) * SEED_ORDERS_PER_USER + randomInt(random, SEED_ORDERS_PER_USER);
    return {
      path: `/v1/users/${userId(u)}/orders/${orderId(o)}`,
      expect: { status: 200, userId: userId(u), orderId: orderId(o) },
    };
  },
  lua: [
    `local u = math.random(1, ${SEED_USERS})`,
    `local o = (u - 1) * ${SEED_ORDERS_PER_USER} + math.random(1, ${SEED_ORDERS_PER_USER})`,
    `local path = string.format("/v1/users/usr_%04d/orders/ord_%05d", u, o)`,
  ].join('\n'),
  negative: [
    // An existing order that belongs to another user must not be served.
    {
      path: `/v1/users/${userId(1)}/orders/${orderId(SEED_ORDERS_PER_USER + 1)}`,
      expect: { status: 404, userId: userId(1) },
    },
    { path: `/v1/users/usr_9999/orders/${orderId(1)}`, expect: { status: 404, userId: 'usr_9999' } },
  ],
  check(pick, status, body) {
    if (status !== pick.expect.status) return `status ${status}, expected ${pick.expect.status}`;
    if (status !== 200) return null;
    if (!isObject(body)) return 'body is not an object';
    return (
      checkUser(body.user, pick.expect.userId, 'user') ??
      checkOrder(body.order, pick.expect.orderId, pick.expect.userId, 'order')
    );
  },
};

/** Page size S2 asks for: one user's whole order history in the seed. */
export const S2_LIMIT = 20;

/** S2: a page of one user's orders, each expanded with its user. */
export const ordersWithUser: HttpScenario = {
  kind: 'http',
  id: 'S2',
  title: 'orders page + user',
  route: `GET /v1/orders?userId={u}&include=user&limit=${S2_LIMIT}`,
  pick(random) {
    const u = randomInt(random, SEED_USERS);
    return {
      path: `/v1/orders?userId=${userId(u)}&include=user&limit=${S2_LIMIT}`,
      expect: { status: 200, userId: userId(u) },
    };
  },
  lua: [
    `local u = math.random(1, ${SEED_USERS})`,
    `local path = string.format("/v1/orders?userId=usr_%04d&include=user&limit=${S2_LIMIT}", u)`,
  ].join('\n'),
  negative: [],
  check(pick, status, body) {
    if (status !== pick.expect.status) return `status ${status}, expected ${pick.expect.status}`;
    if (!isObject(body) || !Array.isArray(body.items)) return 'body.items is not an array';
    if (!('nextCursor' in body)) return 'body.nextCursor is missing';
    const want = Math.min(S2_LIMIT, SEED_ORDERS_PER_USER);
    if (body.items.length !== want) return `${body.items.length} items, expected ${want}`;
    for (const [i, item] of body.items.entries()) {
      const problem =
        checkOrder(item, undefined, pick.expect.userId, `items[${i}]`) ??
        checkUser((item as Record<string, unknown>).user, pick.expect.userId, `items[${i}].user`);
      if (problem) return problem;
    }
    return null;
  },
};

/** Every scenario, in the order a round runs them. */
export const scenarios: readonly Scenario[] = [userOrder, ordersWithUser];
