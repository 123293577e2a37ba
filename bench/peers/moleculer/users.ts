/** `moleculer` users owner: a `users` service with `get` and `getMany` actions. */
import moleculer from 'moleculer';
import { readPeerEnv } from '../shared/contract.ts';
import { openUsers } from '../shared/store.ts';
import { createBroker, stopOnSigterm } from './broker.ts';

const users = openUsers(readPeerEnv({ PORT: '1', ...process.env }).dataDir);
const broker = createBroker('users');

broker.createService({
  name: 'users',
  actions: {
    get(ctx: moleculer.Context<{ id: string }>) {
      const user = users.get(ctx.params.id);
      if (!user) throw new moleculer.Errors.MoleculerClientError('No such user', 404, 'USER_NOT_FOUND');
      return user;
    },
    getMany(ctx: moleculer.Context<{ ids: string[] }>) {
      return users.getMany(ctx.params.ids);
    },
  },
});

await broker.start();
stopOnSigterm(broker);
