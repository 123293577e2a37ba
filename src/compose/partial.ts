import { type ProblemItem, WeftError } from '../errors/index.ts';

/**
 * Collects the failures of a composed answer's optional parts. A required part is awaited as
 * usual and its error fails the whole answer; an optional part that fails becomes an entry of
 * `errors` (`{ path, code, detail }`) and the answer is still a 200.
 */
export class PartialResult {
  readonly errors: ProblemItem[] = [];

  /** Awaits an optional part; on failure records it under `path` and yields undefined. */
  async optional<T>(path: string, part: Promise<T>): Promise<T | undefined> {
    try {
      return await part;
    } catch (error) {
      this.fail(path, error);
      return undefined;
    }
  }

  /** Records an optional part as missing. */
  fail(path: string, error: unknown): void {
    const weft = WeftError.from(error);
    // Internal errors keep their cause in logs; callers see only the code.
    const detail = weft.code === 'INTERNAL' ? 'Internal error' : weft.message;
    this.errors.push({ path, code: weft.code, detail });
  }

  /** Adds `errors` to the answer when any optional part failed. */
  finish<T extends object>(answer: T): T & { errors?: ProblemItem[] } {
    return this.errors.length === 0 ? answer : { ...answer, errors: this.errors };
  }
}
