/**
 * The shop's deterministic seed: the same ids and values on every machine, so scripts, tests and
 * benchmarks can address them. 1,000 users, 200 products, 20,000 orders (20 per user, 1–5 items).
 *
 *   users     usr_0001 … usr_1000
 *   products  prd_001 … prd_200
 *   orders    ord_00001 … ord_20000; user n owns ord_{(n-1)*20+1} … ord_{n*20}
 */
export const SEED_USERS = 1000;
export const SEED_PRODUCTS = 200;
export const SEED_ORDERS_PER_USER = 20;
/** Seed timestamps count from here, one minute apart, so ordering by time is stable. */
const SEED_EPOCH_MS = Date.UTC(2026, 0, 1);

export interface SeedUser {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  createdAt: string;
}
export interface SeedProduct {
  id: string;
  name: string;
  priceCents: number;
  stock: number;
}
export interface SeedOrderItem {
  productId: string;
  quantity: number;
  priceCents: number;
}
export interface SeedOrder {
  id: string;
  userId: string;
  status: 'CONFIRMED';
  items: SeedOrderItem[];
  totalCents: number;
  createdAt: string;
}

export const userId = (n: number): string => `usr_${String(n).padStart(4, '0')}`;
export const productId = (n: number): string => `prd_${String(n).padStart(3, '0')}`;
export const orderId = (n: number): string => `ord_${String(n).padStart(5, '0')}`;

const GIVEN = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tony'];
const FAMILY = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
];
const ADJECTIVE = ['Sturdy', 'Tiny', 'Blue', 'Quiet', 'Rapid', 'Woven', 'Bright', 'Clever'];
const NOUN = ['Lamp', 'Mug', 'Chair', 'Kettle', 'Notebook', 'Scarf', 'Clock', 'Basket', 'Pen', 'Rug'];

/**
 * mulberry32: a tiny PRNG with a fixed seed, so the data never changes between runs. Tests and
 * benchmarks use it too, so their random picks can be replayed.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function* seedUsers(): Generator<SeedUser> {
  for (let n = 1; n <= SEED_USERS; n++) {
    const givenName = GIVEN[n % GIVEN.length];
    const familyName = FAMILY[Math.floor(n / GIVEN.length) % FAMILY.length];
    yield {
      id: userId(n),
      email: `user${n}@example.com`,
      givenName,
      familyName,
      createdAt: new Date(SEED_EPOCH_MS + n * 60_000).toISOString(),
    };
  }
}

export function* seedProducts(): Generator<SeedProduct> {
  const random = seededRandom(200);
  for (let n = 1; n <= SEED_PRODUCTS; n++) {
    yield {
      id: productId(n),
      name: `${ADJECTIVE[n % ADJECTIVE.length]} ${NOUN[Math.floor(n / ADJECTIVE.length) % NOUN.length]} ${n}`,
      priceCents: 100 + Math.floor(random() * 9900),
      stock: 1000 + Math.floor(random() * 9000),
    };
  }
}

export function* seedOrders(): Generator<SeedOrder> {
  const random = seededRandom(20_000);
  const prices = new Map([...seedProducts()].map((p) => [p.id, p.priceCents]));
  for (let u = 1; u <= SEED_USERS; u++) {
    for (let j = 1; j <= SEED_ORDERS_PER_USER; j++) {
      const n = (u - 1) * SEED_ORDERS_PER_USER + j;
      const count = 1 + Math.floor(random() * 5);
      const items: SeedOrderItem[] = [];
      const used = new Set<string>();
      while (items.length < count) {
        const pid = productId(1 + Math.floor(random() * SEED_PRODUCTS));
        if (used.has(pid)) continue;
        used.add(pid);
        items.push({ productId: pid, quantity: 1 + Math.floor(random() * 3), priceCents: prices.get(pid)! });
      }
      yield {
        id: orderId(n),
        userId: userId(u),
        status: 'CONFIRMED',
        items,
        totalCents: items.reduce((sum, i) => sum + i.quantity * i.priceCents, 0),
        createdAt: new Date(SEED_EPOCH_MS + n * 60_000).toISOString(),
      };
    }
  }
}
