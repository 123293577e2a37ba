/**
 * How the supervisor shows its children's output: every line prefixed with the instance name,
 * padded so the text lines up; JSON log lines (pino) shown compactly as level, message and a few
 * fields; anything else shown as it came. Colour only when asked (the caller decides from the TTY
 * and NO_COLOR).
 */

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
/** Instance colours: cyan, magenta, green, blue, yellow, then their bright forms. */
const PALETTE = ['36', '35', '32', '34', '33', '96', '95', '92', '94', '93'] as const;
const LEVEL_COLOURS: Readonly<Record<string, string>> = { warn: '33', error: '31', fatal: '1;31' };
const PINO_LEVELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
/** Fields every pino line carries and that the prefix already says, or that only add noise. */
const HIDDEN = new Set([
  'level',
  'time',
  'msg',
  'message',
  'pid',
  'hostname',
  'v',
  'name',
  'instance',
  'service',
]);
/** Enough fields to see what happened; the raw JSON is one `WEFT_LOG_LEVEL` change away. */
const MAX_FIELDS = 6;
const MAX_VALUE_CHARS = 60;

/** Wraps text in an ANSI colour when `color` is on. */
export function paint(text: string, code: string, color: boolean): string {
  return color ? `\x1b[${code}m${text}${RESET}` : text;
}

/** The prefix of an instance's lines: its name padded to `width`, in its own colour. */
export function linePrefix(instance: string, width: number, index: number, color: boolean): string {
  const name = instance.padEnd(width);
  return color ? `\x1b[${PALETTE[index % PALETTE.length]}m${name}${RESET} ${DIM}|${RESET} ` : `${name} | `;
}

/** One child output line made readable: compact when it is a JSON log record, as is otherwise. */
export function formatLogLine(line: string, color: boolean): string {
  const text = line.trimEnd();
  if (!text.startsWith('{')) return text;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return text;
  const r = record as Record<string, unknown>;
  const level =
    typeof r.level === 'number' ? (PINO_LEVELS[r.level] ?? String(r.level)) : String(r.level ?? 'info');
  const msg = typeof r.msg === 'string' ? r.msg : typeof r.message === 'string' ? r.message : '';
  const fields: string[] = [];
  for (const [key, value] of Object.entries(r)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    if (fields.length === MAX_FIELDS) {
      fields.push('…');
      break;
    }
    fields.push(`${key}=${showValue(key, value)}`);
  }
  const tag = level.toUpperCase().padEnd(5);
  const levelText =
    LEVEL_COLOURS[level] === undefined ? paint(tag, '2', color) : paint(tag, LEVEL_COLOURS[level], color);
  const rest = fields.length === 0 ? '' : ` ${paint(fields.join(' '), '2', color)}`;
  return `${levelText} ${msg}${rest}`;
}

function showValue(key: string, value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    // pino's request, response and error serialisers: the one part worth a glance.
    if (key === 'req' && typeof v.method === 'string') return `${v.method} ${String(v.url ?? '')}`;
    if (key === 'res' && typeof v.statusCode === 'number') return String(v.statusCode);
    if (key === 'err' && typeof v.message === 'string') return clip(JSON.stringify(v.message));
  }
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? clip(value) : clip(JSON.stringify(value));
  return clip(JSON.stringify(value) ?? String(value));
}

function clip(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}
