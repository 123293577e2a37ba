import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ProblemItem, WeftError } from '../errors/index.ts';
import { type ConfigSource, fileSource } from './config-source.ts';
import { type ConfigOf, checkValue, envName, flagName, parseText, type Settings } from './settings.ts';

/** The file read from the working directory when neither `file` nor `--config` names one. */
export const DEFAULT_CONFIG_FILE = 'weft.config.json';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions<T extends Settings> {
  /** The schema; its defaults are the lowest layer. */
  settings: T;
  /**
   * The file layer: a path, any ConfigSource, or false for none. Default: `weft.config.json` in
   * `cwd` when it exists. `--config <path>` in argv wins over this, and must exist.
   */
  file?: string | ConfigSource | false;
  /** Environment (default `process.env`); only the env names the schema declares are read. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Command-line flags (default none): the schema's flags, `--no-<flag>` for booleans, and `--config`. */
  argv?: readonly string[];
  /** Directory relative paths resolve against (default `process.cwd()`). */
  cwd?: string;
  signal?: AbortSignal;
}

/**
 * Builds the configuration from four layers, each overriding the one before: the schema's
 * defaults < the JSON file < environment (`WEFT_*`) < command-line flags. Every value supplied
 * anywhere is validated, even one a higher layer overrides, so a typo never hides. All problems
 * are reported at once as one `VALIDATION_FAILED` WeftError whose message names each key, the bad
 * value and where it came from; `errors` lists them one by one. The answer is frozen.
 */
export async function loadConfig<T extends Settings>(options: LoadConfigOptions<T>): Promise<ConfigOf<T>> {
  const { settings } = options;
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const problems: ProblemItem[] = [];
  const values: Record<string, unknown> = {};
  const fail = (key: string, detail: string) => problems.push({ path: key, code: 'INVALID_SETTING', detail });

  for (const [key, setting] of Object.entries(settings)) values[key] = setting.default;

  const flags = parseFlags(settings, options.argv ?? []);

  let source: ConfigSource | undefined;
  if (flags.config !== undefined) source = fileSource(resolve(cwd, flags.config));
  else if (typeof options.file === 'string') source = fileSource(resolve(cwd, options.file));
  else if (options.file === undefined)
    source = fileSource(resolve(cwd, DEFAULT_CONFIG_FILE), { optional: true });
  else if (options.file !== false) source = options.file;

  const fromFile = source === undefined ? undefined : await source.load(options.signal);
  if (fromFile !== undefined) {
    for (const [key, value] of Object.entries(fromFile)) {
      const setting = Object.hasOwn(settings, key) ? settings[key] : undefined;
      if (setting === undefined) {
        fail(key, `${key} is not a known setting (in ${source!.name})`);
        continue;
      }
      const problem = checkValue(setting, value);
      if (problem === undefined) values[key] = value;
      else fail(key, `${key} ${problem} (in ${source!.name})`);
    }
  }

  for (const [key, setting] of Object.entries(settings)) {
    const name = envName(key, setting);
    const text = name === undefined ? undefined : env[name];
    // An empty variable counts as unset, as in `WEFT_DATABASE_URL= npm start`.
    if (text === undefined || text === '') continue;
    const parsed = parseText(setting, text);
    if ('value' in parsed) values[key] = parsed.value;
    else fail(key, `${key} ${parsed.problem} (from env ${name})`);
  }

  for (const [key, setting] of Object.entries(settings)) {
    const flag = flagName(key, setting);
    const raw = flag === undefined ? undefined : flags.values[flag];
    if (raw === undefined) continue;
    if (typeof raw === 'boolean') {
      values[key] = raw;
      continue;
    }
    const parsed = parseText(setting, raw);
    if ('value' in parsed) values[key] = parsed.value;
    else fail(key, `${key} ${parsed.problem} (from flag --${flag})`);
  }

  if (problems.length > 0) {
    const detail = `invalid configuration: ${problems.map((p) => p.detail).join('; ')}`;
    throw new WeftError('VALIDATION_FAILED', detail, { errors: problems });
  }
  return Object.freeze(values) as ConfigOf<T>;
}

interface ParsedFlags {
  config: string | undefined;
  values: Record<string, string | boolean | undefined>;
}

function parseFlags(settings: Settings, argv: readonly string[]): ParsedFlags {
  const spec: Record<string, { type: 'string' | 'boolean' }> = { config: { type: 'string' } };
  for (const [key, setting] of Object.entries(settings)) {
    const flag = flagName(key, setting);
    if (flag !== undefined) spec[flag] = { type: setting.type === 'boolean' ? 'boolean' : 'string' };
  }
  try {
    const { values } = parseArgs({ args: [...argv], options: spec, strict: true, allowNegative: true });
    const config = values.config;
    return { config: typeof config === 'string' ? config : undefined, values };
  } catch (error) {
    // parseArgs explains unknown options and missing values well; keep its words.
    throw new WeftError('VALIDATION_FAILED', `invalid command line: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
