import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type ConfigSource,
  defineSettings,
  loadConfig,
  mergeSettings,
  settingsHelp,
} from '../../src/config/index.ts';
import { WeftError } from '../../src/errors/index.ts';

const settings = defineSettings({
  basePort: { type: 'integer', default: 8080, min: 1, max: 65535, doc: 'first port' },
  host: { type: 'string', default: '127.0.0.1', doc: 'where to listen' },
  store: { type: 'enum', values: ['sqlite', 'postgres'], default: 'sqlite', doc: 'store kind' },
  databaseUrl: { type: 'string', doc: 'PostgreSQL URL', flag: 'database-url' },
  seed: { type: 'boolean', default: true, doc: 'seed on first run' },
  ratio: { type: 'number', default: 0.5, min: 0, max: 1, doc: 'a fraction' },
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<WeftError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(WeftError.is(error), `expected a WeftError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('loadConfig', () => {
  test('answers the defaults when no layer sets anything', async () => {
    const config = await loadConfig({ settings, cwd: dir, env: {} });
    assert.deepEqual(
      { ...config },
      {
        basePort: 8080,
        host: '127.0.0.1',
        store: 'sqlite',
        databaseUrl: undefined,
        seed: true,
        ratio: 0.5,
      },
    );
  });

  test('layers defaults < file < env < flags', async () => {
    const file = join(dir, 'layers.json');
    await writeFile(
      file,
      JSON.stringify({ basePort: 9000, host: '0.0.0.0', store: 'postgres', $schema: 'x' }),
    );
    const config = await loadConfig({
      settings,
      file,
      env: { WEFT_BASE_PORT: '9100', WEFT_HOST: 'localhost' },
      argv: ['--base-port', '9200', '--no-seed'],
    });
    assert.equal(config.basePort, 9200);
    assert.equal(config.host, 'localhost');
    assert.equal(config.store, 'postgres');
    assert.equal(config.seed, false);
  });

  test('reads weft.config.json from the working directory when present', async () => {
    const cwd = await mkdtemp(join(dir, 'cwd-'));
    await writeFile(join(cwd, 'weft.config.json'), JSON.stringify({ ratio: 0.25 }));
    const config = await loadConfig({ settings, cwd, env: {} });
    assert.equal(config.ratio, 0.25);
  });

  test('--config names another file, which must exist', async () => {
    const file = join(dir, 'other.json');
    await writeFile(file, JSON.stringify({ basePort: 7000 }));
    const config = await loadConfig({ settings, cwd: dir, env: {}, argv: ['--config', file] });
    assert.equal(config.basePort, 7000);
    const error = await rejection(
      loadConfig({ settings, cwd: dir, env: {}, argv: ['--config', 'nope.json'] }),
    );
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.match(error.message, /nope\.json does not exist/);
  });

  test('answers a frozen object', async () => {
    const config = await loadConfig({ settings, cwd: dir, env: {} });
    assert.ok(Object.isFrozen(config));
  });

  test('treats an empty env variable as unset', async () => {
    const config = await loadConfig({ settings, cwd: dir, env: { WEFT_BASE_PORT: '' } });
    assert.equal(config.basePort, 8080);
  });

  test('accepts the usual words for booleans from env', async () => {
    for (const [text, expected] of [
      ['off', false],
      ['0', false],
      ['YES', true],
    ] as const) {
      const config = await loadConfig({ settings, cwd: dir, env: { WEFT_SEED: text } });
      assert.equal(config.seed, expected, text);
    }
  });

  test('names the key, the bad value and the env variable', async () => {
    const error = await rejection(loadConfig({ settings, cwd: dir, env: { WEFT_BASE_PORT: 'abc' } }));
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.equal(error.status, 400);
    assert.match(
      error.message,
      /basePort must be an integer from 1 to 65535, got "abc" \(from env WEFT_BASE_PORT\)/,
    );
    assert.deepEqual(
      error.errors?.map((e) => e.path),
      ['basePort'],
    );
  });

  test('names the flag an out-of-range value came from', async () => {
    const error = await rejection(loadConfig({ settings, cwd: dir, env: {}, argv: ['--base-port=70000'] }));
    assert.match(
      error.message,
      /basePort must be an integer from 1 to 65535, got "70000" \(from flag --base-port\)/,
    );
  });

  test('lists the allowed values of an enum', async () => {
    const error = await rejection(loadConfig({ settings, cwd: dir, env: {}, argv: ['--store', 'mysql'] }));
    assert.match(error.message, /store must be one of sqlite, postgres, got "mysql"/);
  });

  test('rejects a wrong JSON type in the file, naming the file', async () => {
    const file = join(dir, 'types.json');
    await writeFile(file, JSON.stringify({ basePort: '8080' }));
    const error = await rejection(loadConfig({ settings, file, env: {} }));
    assert.match(
      error.message,
      /basePort must be an integer from 1 to 65535, got "8080" \(in file .*types\.json\)/,
    );
  });

  test('rejects an unknown key in the file', async () => {
    const file = join(dir, 'unknown.json');
    await writeFile(file, JSON.stringify({ basePrt: 1 }));
    const error = await rejection(loadConfig({ settings, file, env: {} }));
    assert.match(error.message, /basePrt is not a known setting/);
  });

  test('rejects a file that is not JSON', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ basePort: 1');
    const error = await rejection(loadConfig({ settings, file, env: {} }));
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.match(error.message, /broken\.json is not valid JSON/);
  });

  test('rejects an unknown flag', async () => {
    const error = await rejection(loadConfig({ settings, cwd: dir, env: {}, argv: ['--bsae-port', '1'] }));
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.match(error.message, /invalid command line: .*--bsae-port/);
  });

  test('reports every bad value at once, even ones a higher layer overrides', async () => {
    const error = await rejection(
      loadConfig({
        settings,
        cwd: dir,
        env: { WEFT_RATIO: '2', WEFT_HOST: 'h' },
        argv: ['--ratio', '0.1', '--store=x'],
      }),
    );
    assert.deepEqual(error.errors?.map((e) => e.path).sort(), ['ratio', 'store']);
  });

  test('takes any ConfigSource as the file layer', async () => {
    const source: ConfigSource = { name: 'memory', load: async () => ({ host: 'from-source' }) };
    const config = await loadConfig({ settings, file: source, env: {} });
    assert.equal(config.host, 'from-source');
  });
});

describe('defineSettings', () => {
  test('rejects a default of the wrong type', () => {
    assert.throws(
      () => defineSettings({ port: { type: 'integer', default: 1.5, doc: 'p' } }),
      /setting port: default must be an integer, got 1\.5/,
    );
  });

  test('rejects two settings sharing an env name', () => {
    assert.throws(
      () =>
        defineSettings({
          a: { type: 'string', env: 'WEFT_X', doc: 'a' },
          b: { type: 'string', env: 'WEFT_X', doc: 'b' },
        }),
      /settings a and b share the env name WEFT_X/,
    );
  });

  test('mergeSettings rejects a key declared twice', () => {
    assert.throws(
      () => mergeSettings(settings, { host: { type: 'string', doc: 'again' } }),
      /host is declared twice/,
    );
  });
});

describe('settingsHelp', () => {
  test('lists each flag with its doc, default and env name', () => {
    const text = settingsHelp(settings).join('\n');
    assert.match(
      text,
      /--base-port <n>\s+first port \(an integer from 1 to 65535; default 8080; env WEFT_BASE_PORT\)/,
    );
    assert.match(text, /--store sqlite\|postgres/);
    assert.match(text, /--\[no-\]seed/);
  });
});
