import { Type } from 'typebox';
import { WeftError } from '../../../src/errors/index.ts';
import {
  decodeCursor,
  defineService,
  encodeCursor,
  etag,
  ifMatch,
  parseIdList,
  type Service,
} from '../../../src/service/index.ts';
import { isUniqueViolation, type Store } from '../../../src/store/index.ts';
import { batchAnswer } from '../batch.ts';
import { Cursor, Id, IdList, Limit, ListAnswer, UserV1, UserV2 } from '../contracts.ts';
import { shopErrors } from '../errors.ts';
import { updateVersioned, type VersionedTable } from '../versioned-update.ts';
import {
  deleteUser,
  findUser,
  findUsers,
  insertUser,
  pageUsers,
  type User,
  updateUser,
} from './users-store.ts';

/** v1 is kept for existing callers until its sunset; v2 splits the name in two. */
export const USERS_V1_SUNSET = '2027-06-30';

const UserParams = Type.Object({ userId: Id });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const CreateUserBody = Type.Object(
  { id: Type.Optional(Id), email: Email, name: Name },
  { additionalProperties: false },
);
const PatchUserBody = Type.Object(
  { email: Type.Optional(Email), name: Type.Optional(Name) },
  { additionalProperties: false, minProperties: 1 },
);
const ListQuery = Type.Object(
  { ids: Type.Optional(IdList), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

/** The v1 shape: one name string. */
export function toV1(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: `${user.givenName} ${user.familyName}`,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  };
}

/** The v2 shape: the name split in two. */
export function toV2(user: User) {
  return {
    id: user.id,
    email: user.email,
    name: { given: user.givenName, family: user.familyName },
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  };
}

/** Splits "Ada King Lovelace" into given "Ada King" and family "Lovelace". */
function splitName(name: string): { givenName: string; familyName: string } {
  const trimmed = name.trim();
  const at = trimmed.lastIndexOf(' ');
  return at < 0
    ? { givenName: trimmed, familyName: '' }
    : { givenName: trimmed.slice(0, at), familyName: trimmed.slice(at + 1) };
}

const notFound = (id: string) => new WeftError('USER_NOT_FOUND', `No user ${id}`);
const users: VersionedTable<User> = { noun: 'User', find: findUser, write: updateUser, notFound };

/** The users service: the only code that reads or writes the users table. */
export function createUsersService(options: { store: Store; instance?: string; logLevel?: string }): Service {
  const { store } = options;
  const service = defineService({
    name: 'users',
    instance: options.instance,
    logLevel: options.logLevel,
    errors: shopErrors,
    versions: {
      v1: { deprecated: { sunset: USERS_V1_SUNSET, link: '/docs' } },
      v2: {},
    },
    readiness: (signal) => store.ping(signal),
  });
  const app = service.app;
  const db = (signal?: AbortSignal) => store.withSignal(signal);

  async function load(id: string, signal: AbortSignal): Promise<User> {
    const user = await findUser(db(signal), id);
    if (!user) throw notFound(id);
    return user;
  }

  app.get(
    '/v1/users/:userId',
    { schema: { tags: ['users'], params: UserParams, response: { 200: UserV1 } } },
    async (request, reply) => {
      const user = await load(request.params.userId, request.ctx.signal);
      reply.header('etag', etag(user.version));
      return toV1(user);
    },
  );

  app.get(
    '/v2/users/:userId',
    { schema: { tags: ['users'], params: UserParams, response: { 200: UserV2 } } },
    async (request, reply) => {
      const user = await load(request.params.userId, request.ctx.signal);
      reply.header('etag', etag(user.version));
      return toV2(user);
    },
  );

  app.get(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        description:
          'With `ids`: a batch read (at most 100) answering `{ items, missing }`. Without: a cursor page.',
        querystring: ListQuery,
        response: { 200: ListAnswer(UserV1) },
      },
    },
    async (request) => {
      const { ids, limit = 50, cursor } = request.query;
      if (ids !== undefined) {
        const wanted = parseIdList(ids);
        return batchAnswer(wanted, await findUsers(db(request.ctx.signal), wanted), toV1);
      }
      const after = cursor === undefined ? undefined : String(decodeCursor(cursor).after);
      const page = await pageUsers(db(request.ctx.signal), after, limit + 1);
      const items = page.slice(0, limit);
      return {
        items: items.map(toV1),
        nextCursor: page.length > limit ? encodeCursor({ after: items[items.length - 1].id }) : null,
      };
    },
  );

  app.post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        body: CreateUserBody,
        response: { 201: UserV1 },
      },
    },
    async (request, reply) => {
      const now = new Date().toISOString();
      const user: User = {
        id: request.body.id ?? `usr_${crypto.randomUUID()}`,
        email: request.body.email,
        ...splitName(request.body.name),
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      try {
        await store.transaction((trx) => insertUser(trx, user), { signal: request.ctx.signal });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const taken = await findUser(store.db, user.id);
        throw taken
          ? new WeftError('ID_TAKEN', `A user with id ${user.id} exists`)
          : new WeftError('EMAIL_TAKEN', 'Another user has this email');
      }
      reply.code(201).header('location', `/v1/users/${user.id}`).header('etag', etag(user.version));
      return toV1(user);
    },
  );

  app.patch(
    '/v1/users/:userId',
    {
      schema: {
        tags: ['users'],
        description: 'Send `If-Match` with the ETag you read to avoid lost updates (412 when it changed).',
        params: UserParams,
        body: PatchUserBody,
        response: { 200: UserV1 },
      },
    },
    async (request, reply) => {
      const updated = await updateVersioned(
        store,
        users,
        request.params.userId,
        ifMatch(request),
        (current) => ({
          ...current,
          ...(request.body.email === undefined ? {} : { email: request.body.email }),
          ...(request.body.name === undefined ? {} : splitName(request.body.name)),
          updatedAt: new Date().toISOString(),
        }),
        request.ctx.signal,
      ).catch((error: unknown) => {
        if (isUniqueViolation(error)) throw new WeftError('EMAIL_TAKEN', 'Another user has this email');
        throw error;
      });
      reply.header('etag', etag(updated.version));
      return toV1(updated);
    },
  );

  app.delete(
    '/v1/users/:userId',
    { schema: { tags: ['users'], params: UserParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      if (!(await deleteUser(db(request.ctx.signal), request.params.userId))) {
        throw notFound(request.params.userId);
      }
      reply.code(204);
      return null;
    },
  );

  return service;
}
