import { type ProblemItem, WeftError } from '../errors/index.ts';

/** Default largest batch: one upstream call stays small enough to answer within a deadline. */
export const DEFAULT_MAX_BATCH_IDS = 100;

/** What an id may look like: 1..128 characters of letters, digits and `._:-`. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Parses a comma-separated id list (`?ids=a,b,c`): trimmed, de-duplicated in order. Over `max`
 * ids is 400 BATCH_TOO_LARGE; a missing or empty list, or an id outside {@link ID_PATTERN}, is
 * 400 VALIDATION_FAILED naming each bad position.
 */
export function parseIdList(raw: string | undefined, max: number = DEFAULT_MAX_BATCH_IDS): string[] {
  if (raw === undefined || raw.trim() === '') {
    throw new WeftError('VALIDATION_FAILED', 'ids: at least one id is required', {
      errors: [{ path: 'ids', code: 'REQUIRED', detail: 'at least one id is required' }],
    });
  }
  const parts = raw.split(',', max + 1);
  if (parts.length > max) {
    throw new WeftError('BATCH_TOO_LARGE', `ids: at most ${max} ids per request`);
  }
  const ids: string[] = [];
  const seen = new Set<string>();
  const bad: ProblemItem[] = [];
  for (let i = 0; i < parts.length; i++) {
    const id = parts[i].trim();
    if (!ID_PATTERN.test(id)) {
      bad.push({
        path: `ids/${i}`,
        code: 'BAD_ID',
        detail: 'an id is 1..128 characters of A-Z a-z 0-9 . _ : -',
      });
    } else if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  if (bad.length > 0)
    throw new WeftError('VALIDATION_FAILED', 'ids: some ids are not valid', { errors: bad });
  return ids;
}
