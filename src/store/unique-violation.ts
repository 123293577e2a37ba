/** PostgreSQL SQLSTATE unique_violation. */
const PG_UNIQUE_VIOLATION = '23505';
/** SQLite extended result codes SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY. */
const SQLITE_UNIQUE_CODES: ReadonlySet<number> = new Set([2067, 1555]);
/** How deep the `cause` chain is followed: wrapping is shallow in practice; the bound stops cycles. */
const MAX_CAUSE_DEPTH = 5;

/**
 * True when the error (or an error in its `cause` chain, such as a WeftError wrapping it) is a
 * unique or primary-key violation reported by either driver: the portable way to turn a
 * duplicate insert into a `CONFLICT` answer or an idempotent no-op.
 */
export function isUniqueViolation(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== 'object' || current === null) return false;
    const e = current as { code?: unknown; errcode?: unknown; cause?: unknown };
    if (e.code === PG_UNIQUE_VIOLATION) return true;
    if (
      e.code === 'ERR_SQLITE_ERROR' &&
      typeof e.errcode === 'number' &&
      SQLITE_UNIQUE_CODES.has(e.errcode)
    ) {
      return true;
    }
    current = e.cause;
  }
  return false;
}
