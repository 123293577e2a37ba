import { defineErrors } from '../../src/errors/index.ts';

/** The shop's own error codes, added to weft's catalogue (docs/errors.md lists both). */
export const shopErrors = defineErrors({
  USER_NOT_FOUND: { status: 404, title: 'The user does not exist', retryable: false },
  ORDER_NOT_FOUND: { status: 404, title: 'The order does not exist', retryable: false },
  PRODUCT_NOT_FOUND: { status: 404, title: 'The product does not exist', retryable: false },
  EMAIL_TAKEN: { status: 409, title: 'Another user has this email', retryable: false },
  ID_TAKEN: { status: 409, title: 'Another resource has this id', retryable: false },
});
