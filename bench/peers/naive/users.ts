/** `naive` users owner: Express over the peers' SQLite store. */
import express from 'express';
import { readPeerEnv, userNotFound } from '../shared/contract.ts';
import { openUsers } from '../shared/store.ts';

const env = readPeerEnv();
const users = openUsers(env.dataDir);
const app = express();

app.get('/readyz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/v1/users/:id', (req, res) => {
  const user = users.get(req.params.id);
  if (!user) res.status(404).json(userNotFound(req.params.id));
  else res.json(user);
});
app.get('/v1/users', (req, res) => {
  res.json(
    users.getMany(
      String(req.query.ids ?? '')
        .split(',')
        .filter(Boolean),
    ),
  );
});

const server = app.listen(env.port, env.host);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
