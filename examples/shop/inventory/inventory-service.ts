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
import { Cursor, Id, IdList, Limit, ListAnswer, ProductSchema } from '../contracts.ts';
import { shopErrors } from '../errors.ts';
import { updateVersioned, type VersionedTable } from '../versioned-update.ts';
import {
  deleteProduct,
  findProduct,
  findProducts,
  insertProduct,
  type Product,
  pageProducts,
  updateProduct,
} from './products-store.ts';

const ProductParams = Type.Object({ productId: Id });
const CreateProductBody = Type.Object(
  {
    id: Type.Optional(Id),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    priceCents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    stock: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
  },
  { additionalProperties: false },
);
const PatchProductBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    priceCents: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    stock: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ListQuery = Type.Object(
  { ids: Type.Optional(IdList), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

const notFound = (id: string) => new WeftError('PRODUCT_NOT_FOUND', `No product ${id}`);
const products: VersionedTable<Product> = {
  noun: 'Product',
  find: findProduct,
  write: updateProduct,
  notFound,
};
const render = (product: Product) => product;

/** The inventory service: the only code that reads or writes products and stock. */
export function createInventoryService(options: {
  store: Store;
  instance?: string;
  logLevel?: string;
}): Service {
  const { store } = options;
  const service = defineService({
    name: 'inventory',
    instance: options.instance,
    logLevel: options.logLevel,
    errors: shopErrors,
    versions: { v1: {} },
    readiness: (signal) => store.ping(signal),
  });
  const app = service.app;
  const db = (signal?: AbortSignal) => store.withSignal(signal);

  app.get(
    '/v1/products/:productId',
    {
      schema: {
        tags: ['products'],
        params: ProductParams,
        response: { 200: ProductSchema },
      },
    },
    async (request, reply) => {
      const product = await findProduct(db(request.ctx.signal), request.params.productId);
      if (!product) throw notFound(request.params.productId);
      reply.header('etag', etag(product.version));
      return product;
    },
  );

  app.get(
    '/v1/products',
    {
      schema: {
        tags: ['products'],
        description:
          'With `ids`: a batch read (at most 100) answering `{ items, missing }`. Without: a cursor page.',
        querystring: ListQuery,
        response: { 200: ListAnswer(ProductSchema) },
      },
    },
    async (request) => {
      const { ids, limit = 50, cursor } = request.query;
      const reader = db(request.ctx.signal);
      if (ids !== undefined) {
        const wanted = parseIdList(ids);
        return batchAnswer(wanted, await findProducts(reader, wanted), render);
      }
      const after = cursor === undefined ? undefined : String(decodeCursor(cursor).after);
      const page = await pageProducts(reader, after, limit + 1);
      const items = page.slice(0, limit);
      return {
        items,
        nextCursor: page.length > limit ? encodeCursor({ after: items[items.length - 1].id }) : null,
      };
    },
  );

  app.post(
    '/v1/products',
    {
      schema: {
        tags: ['products'],
        body: CreateProductBody,
        response: { 201: ProductSchema },
      },
    },
    async (request, reply) => {
      const product: Product = {
        id: request.body.id ?? `prd_${crypto.randomUUID()}`,
        ...request.body,
        version: 1,
      };
      try {
        await store.transaction((trx) => insertProduct(trx, product), { signal: request.ctx.signal });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new WeftError('ID_TAKEN', `A product with id ${product.id} exists`);
        throw error;
      }
      reply.code(201).header('location', `/v1/products/${product.id}`).header('etag', etag(product.version));
      return product;
    },
  );

  app.patch(
    '/v1/products/:productId',
    {
      schema: {
        tags: ['products'],
        params: ProductParams,
        body: PatchProductBody,
        response: { 200: ProductSchema },
      },
    },
    async (request, reply) => {
      const updated = await updateVersioned(
        store,
        products,
        request.params.productId,
        ifMatch(request),
        (current) => ({ ...current, ...request.body }),
        request.ctx.signal,
      );
      reply.header('etag', etag(updated.version));
      return updated;
    },
  );

  app.delete(
    '/v1/products/:productId',
    {
      schema: {
        tags: ['products'],
        params: ProductParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      if (!(await deleteProduct(db(request.ctx.signal), request.params.productId))) {
        throw notFound(request.params.productId);
      }
      reply.code(204);
      return null;
    },
  );

  return service;
}
