/** `hand` users owner: Fastify over the peers' SQLite store. */
import Fastify from 'fastify';
import { PROBLEM_TYPE, readPeerEnv, userNotFound } from '../shared/contract.ts';
import { openUsers } from '../shared/store.ts';

const env = readPeerEnv();
const users = openUsers(env.dataDir);
const app = Fastify({ logger: false });

app.get('/readyz', async () => ({ status: 'ok' }));
app.get<{ Params: { id: string } }>('/v1/users/:id', async (req, reply) => {
  const user = users.get(req.params.id);
  if (!user) return reply.code(404).type(PROBLEM_TYPE).send(userNotFound(req.params.id));
  return user;
});
app.get<{ Querystring: { ids?: string } }>('/v1/users', async (req) =>
  users.getMany((req.query.ids ?? '').split(',').filter(Boolean)),
);

await app.listen({ port: env.port, host: env.host });
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
