/**
 * A settings schema: each key declares its type, default, one-line doc and where it may be set
 * (env name, flag name). Parts of weft and applications declare their own and merge them; the
 * loader and the help text read the same declaration, so they never drift apart.
 */

interface SettingBase {
  /** One line for `--help` and the docs. */
  readonly doc: string;
  /** Environment variable; derived from the key (`basePort` → `WEFT_BASE_PORT`) unless given; false for none. */
  readonly env?: string | false;
  /** Command-line flag without dashes; derived from the key (`basePort` → `base-port`) unless given; false for none. */
  readonly flag?: string | false;
}

/** A number; `integer` also rejects fractions. */
export interface NumberSetting extends SettingBase {
  readonly type: 'number' | 'integer';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}

/** Free text. */
export interface StringSetting extends SettingBase {
  readonly type: 'string';
  readonly default?: string;
}

/** On or off; from text: true/false, 1/0, yes/no, on/off. */
export interface BooleanSetting extends SettingBase {
  readonly type: 'boolean';
  readonly default?: boolean;
}

/** One of a fixed list of strings. */
export interface EnumSetting extends SettingBase {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default?: string;
}

/** One declared setting. A setting without a default is optional (its value may be undefined). */
export type Setting = NumberSetting | StringSetting | BooleanSetting | EnumSetting;

/** A schema: camelCase key → declaration. */
export type Settings = Readonly<Record<string, Setting>>;

type ValueOf<S> = S extends { type: 'enum'; values: readonly (infer V)[] }
  ? V
  : S extends { type: 'number' | 'integer' }
    ? number
    : S extends { type: 'boolean' }
      ? boolean
      : S extends { type: 'string' }
        ? string
        : never;

/** The frozen configuration a schema produces. */
export type ConfigOf<T extends Settings> = {
  readonly [K in keyof T]: T[K] extends { default: NonNullable<unknown> }
    ? ValueOf<T[K]>
    : ValueOf<T[K]> | undefined;
};

/** A value that failed validation: which key, what was wrong, and where it came from. */
export interface SettingProblem {
  readonly key: string;
  readonly detail: string;
}

const KEY = /^[a-z][a-zA-Z0-9]*$/;
const ENV = /^[A-Z][A-Z0-9_]*$/;
const FLAG = /^[a-z][a-z0-9-]*$/;

/**
 * Checks a schema once, at declaration: key and name shapes, defaults of the declared type, no two
 * settings sharing an env or flag name. A mistake here is the programmer's, so it is a TypeError.
 */
export function defineSettings<const T extends Settings>(settings: T): T {
  const envs = new Map<string, string>();
  const flags = new Map<string, string>();
  for (const [key, setting] of Object.entries(settings)) {
    if (!KEY.test(key)) throw new TypeError(`setting key must be camelCase, got ${JSON.stringify(key)}`);
    if (typeof setting.doc !== 'string' || setting.doc.trim() === '') {
      throw new TypeError(`setting ${key}: doc must be a non-empty string`);
    }
    if (setting.type === 'enum' && (!Array.isArray(setting.values) || setting.values.length === 0)) {
      throw new TypeError(`setting ${key}: an enum needs a non-empty values list`);
    }
    if (setting.default !== undefined) {
      const problem = checkValue(setting, setting.default);
      if (problem !== undefined) throw new TypeError(`setting ${key}: default ${problem}`);
    }
    const env = envName(key, setting);
    if (env !== undefined) {
      if (!ENV.test(env)) throw new TypeError(`setting ${key}: env must be UPPER_SNAKE_CASE, got ${env}`);
      const other = envs.get(env);
      if (other !== undefined) throw new TypeError(`settings ${other} and ${key} share the env name ${env}`);
      envs.set(env, key);
    }
    const flag = flagName(key, setting);
    if (flag !== undefined) {
      if (!FLAG.test(flag) || flag === 'config' || flag === 'help') {
        throw new TypeError(`setting ${key}: flag must be kebab-case and not config/help, got ${flag}`);
      }
      const other = flags.get(flag);
      if (other !== undefined) throw new TypeError(`settings ${other} and ${key} share the flag --${flag}`);
      flags.set(flag, key);
    }
    Object.freeze(setting);
  }
  return Object.freeze(settings);
}

/** Joins schemas into one; a key declared twice is a TypeError. */
export function mergeSettings<A extends Settings, B extends Settings>(a: A, b: B): A & B {
  for (const key of Object.keys(b)) {
    if (Object.hasOwn(a, key)) throw new TypeError(`setting ${key} is declared twice`);
  }
  return defineSettings({ ...a, ...b }) as A & B;
}

/** The environment variable a setting is read from, or undefined when it has none. */
export function envName(key: string, setting: Setting): string | undefined {
  if (setting.env === false) return undefined;
  return setting.env ?? `WEFT_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** The flag (without dashes) a setting is read from, or undefined when it has none. */
export function flagName(key: string, setting: Setting): string | undefined {
  if (setting.flag === false) return undefined;
  return setting.flag ?? key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Validates a typed value (from defaults or a JSON file); returns what is wrong, or undefined. */
export function checkValue(setting: Setting, value: unknown): string | undefined {
  switch (setting.type) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return `must be ${describe(setting)}, got ${show(value)}`;
      if (setting.type === 'integer' && !Number.isInteger(value))
        return `must be ${describe(setting)}, got ${show(value)}`;
      if (
        (setting.min !== undefined && value < setting.min) ||
        (setting.max !== undefined && value > setting.max)
      ) {
        return `must be ${describe(setting)}, got ${show(value)}`;
      }
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${show(value)}`;
    case 'string':
      return typeof value === 'string' ? undefined : `must be a string, got ${show(value)}`;
    case 'enum':
      return typeof value === 'string' && setting.values.includes(value)
        ? undefined
        : `must be ${describe(setting)}, got ${show(value)}`;
  }
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** Parses text (from env or a flag) into a typed value, or reports what is wrong. */
export function parseText(setting: Setting, text: string): { value: unknown } | { problem: string } {
  let value: unknown = text;
  if (setting.type === 'number' || setting.type === 'integer') {
    const trimmed = text.trim();
    value = trimmed === '' ? Number.NaN : Number(trimmed);
    if (Number.isNaN(value)) return { problem: `must be ${describe(setting)}, got ${show(text)}` };
  } else if (setting.type === 'boolean') {
    const lower = text.trim().toLowerCase();
    if (TRUE.has(lower)) value = true;
    else if (FALSE.has(lower)) value = false;
    else return { problem: `must be true or false, got ${show(text)}` };
  }
  // Report the text as typed ("70000", not 70000): that is what the user has to find and fix.
  const problem = checkValue(setting, value);
  return problem === undefined ? { value } : { problem: `must be ${describe(setting)}, got ${show(text)}` };
}

/** What values a setting accepts, in words ("an integer from 1 to 65535", "one of sqlite, postgres"). */
export function describe(setting: Setting): string {
  switch (setting.type) {
    case 'number':
    case 'integer': {
      const noun = setting.type === 'integer' ? 'an integer' : 'a number';
      if (setting.min !== undefined && setting.max !== undefined)
        return `${noun} from ${setting.min} to ${setting.max}`;
      if (setting.min !== undefined) return `${noun} >= ${setting.min}`;
      if (setting.max !== undefined) return `${noun} <= ${setting.max}`;
      return noun;
    }
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'enum':
      return `one of ${setting.values.join(', ')}`;
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
