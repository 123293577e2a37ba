import { watch as watchFs } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { WeftError } from '../errors/index.ts';

/**
 * A layer of configuration that comes from somewhere outside the process (a file today, a NATS KV
 * bucket later). `load()` answers a flat object of setting key → JSON value, or undefined when the
 * source has nothing (an optional file that does not exist). `watch()`, when present, calls
 * `onChange` whenever a later `load()` may answer differently; hot reload builds on it.
 */
export interface ConfigSource {
  /** Names the source in error messages, for example `file weft.config.json`. */
  readonly name: string;
  load(signal?: AbortSignal): Promise<Readonly<Record<string, unknown>> | undefined>;
  watch?(onChange: () => void, signal: AbortSignal): void;
}

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** When true, a missing file is an empty layer instead of an error. */
  optional?: boolean;
}

/** Editors save by writing a temporary file and renaming it; one save fires several events. */
const WATCH_DEBOUNCE_MS = 50;

/** A JSON file holding one object of settings; keys starting with `$` (such as `$schema`) are ignored. */
export function fileSource(path: string, options: FileSourceOptions = {}): ConfigSource {
  const name = `file ${path}`;
  return {
    name,
    async load(signal) {
      let text: string;
      try {
        text = await readFile(path, { encoding: 'utf8', signal });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          if (options.optional) return undefined;
          throw new WeftError('VALIDATION_FAILED', `config ${name} does not exist`, { cause: error });
        }
        throw new WeftError('VALIDATION_FAILED', `config ${name} cannot be read`, { cause: error });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new WeftError(
          'VALIDATION_FAILED',
          `config ${name} is not valid JSON: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new WeftError('VALIDATION_FAILED', `config ${name} must hold a JSON object`);
      }
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(parsed)) if (!key.startsWith('$')) out[key] = value;
      return out;
    },
    watch(onChange, signal) {
      // Watch the directory, not the file: a rename-on-save replaces the inode a file watch holds.
      const file = basename(path);
      let timer: NodeJS.Timeout | undefined;
      const watcher = watchFs(dirname(resolve(path)), { persistent: false }, (_event, changed) => {
        if (changed !== null && changed !== file) return;
        clearTimeout(timer);
        timer = setTimeout(onChange, WATCH_DEBOUNCE_MS);
        timer.unref();
      });
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          watcher.close();
        },
        { once: true },
      );
    },
  };
}
