// The CLI's logger: pino's JSON lines for machines (stdout not a terminal), one readable line per
// entry on a terminal. The formatter is ours (a pino destination stream), not pino-pretty: a dozen
// lines instead of a dependency with its own dozen, and no worker thread.
import { pino, type Logger } from 'pino';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '41;97' };
/** pino's own fields, shown in the line's head (or not at all). */
const HEAD = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);

const field = (value: unknown) => (typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value));

/** One pino JSON line as `12:03:04 INFO  message key=value …`, an error's stack below it. */
export function formatLogLine(json: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = Number(entry.level);
  const label = (LEVELS[level] ?? String(entry.level)).padEnd(5);
  const time = new Date(Number(entry.time)).toTimeString().slice(0, 8);
  const rest = Object.entries(entry)
    .filter(([key]) => !HEAD.has(key))
    .map(([key, value]) => `${key}=${field(value)}`);
  const head = [time, color ? `\x1b[${COLORS[level] ?? '0'}m${label}\x1b[0m` : label, entry.msg ?? '', ...rest].join(' ');
  const err = entry.err as { stack?: string; message?: string } | undefined;
  const stack = err?.stack ?? err?.message;
  return `${head}${stack ? `\n  ${stack.split('\n').join('\n  ')}` : ''}\n`;
}

/** A pino logger writing JSON lines, or readable lines when `pretty` (stdout is a terminal). */
export function createCliLogger(level: string, { pretty, color = pretty }: { pretty: boolean; color?: boolean }): Logger {
  if (!pretty) return pino({ level });
  return pino({ level }, { write: (line: string) => void process.stdout.write(formatLogLine(line, color)) });
}
