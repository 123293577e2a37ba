import { connect } from 'node:net';

/** Addresses of the real servers the distributed implementations are tested against. */
export const servers = {
  postgres: {
    host: '127.0.0.1',
    port: 5432,
    url: process.env.WEFT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  },
  nats: { host: '127.0.0.1', port: 4222, url: process.env.WEFT_TEST_NATS_URL ?? 'nats://127.0.0.1:4222' },
  redis: { host: '127.0.0.1', port: 6379, url: process.env.WEFT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
} as const;

export type ServerName = keyof typeof servers;

/**
 * Decides whether the tests of a distributed implementation run. Under CI=true they always run,
 * so an unreachable server fails them; elsewhere they are skipped with a printed reason.
 * Returns a value for node:test's `skip` option: false to run, or the reason to skip.
 */
export async function requireServer(name: ServerName): Promise<false | string> {
  if (process.env.CI === 'true') return false;
  const { host, port } = servers[name];
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
  if (reachable) return false;
  const reason = `${name} is not reachable at ${host}:${port} (set CI=true to make this a failure)`;
  console.log(`# skip: ${reason}`);
  return reason;
}
