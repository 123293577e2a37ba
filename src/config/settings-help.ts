import { describe, envName, flagName, type Settings } from './settings.ts';

/**
 * The options part of a `--help` text: one entry per setting that has a flag, with its doc, the
 * values it takes, its default and its env name, aligned in two columns.
 */
export function settingsHelp(settings: Settings): string[] {
  const rows: [string, string][] = [];
  for (const [key, setting] of Object.entries(settings)) {
    const flag = flagName(key, setting);
    const env = envName(key, setting);
    if (flag === undefined && env === undefined) continue;
    let left: string;
    if (flag === undefined) left = `(env only)`;
    else if (setting.type === 'boolean') left = `--[no-]${flag}`;
    else if (setting.type === 'enum') left = `--${flag} ${setting.values.join('|')}`;
    else left = `--${flag} <${setting.type === 'string' ? 'text' : 'n'}>`;
    const notes: string[] = [];
    if (setting.type !== 'enum' && setting.type !== 'boolean' && setting.type !== 'string') {
      notes.push(describe(setting));
    }
    if (setting.default !== undefined) notes.push(`default ${JSON.stringify(setting.default)}`);
    if (env !== undefined) notes.push(`env ${env}`);
    rows.push([left, `${setting.doc}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`]);
  }
  const width = Math.min(34, Math.max(0, ...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) =>
    left.length > width ? `  ${left}\n  ${' '.repeat(width)}  ${right}` : `  ${left.padEnd(width)}  ${right}`,
  );
}
