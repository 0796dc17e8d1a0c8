import { redactSecrets } from './redact.js';
import { rotatingFile } from './rotating-file.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

interface Sink {
  write(line: string): void;
}

/**
 * JSON-lines logger. Fields pass through redactSecrets, so a secret can only leak through the
 * message text itself, which callers build from non-secret values. A log file is rotated
 * (`rotating-file.ts`: 5 MiB, four older files kept, unless `rotate` says otherwise).
 */
export function createLogger(
  options: { file?: string; rotate?: { maxBytes?: number; keep?: number }; level?: LogLevel; stderr?: boolean; bindings?: Record<string, unknown> } = {},
): Logger {
  const min = LEVELS[options.level ?? ((process.env.FLEET_LOG_LEVEL as LogLevel | undefined) ?? 'info')] ?? LEVELS.info;
  const sinks: Sink[] = [];
  if (options.file) sinks.push(rotatingFile(options.file, options.rotate));
  if (options.stderr) sinks.push({ write: (line) => process.stderr.write(line) });
  return build(min, sinks, options.bindings ?? {});
}

function build(min: number, sinks: Sink[], bindings: Record<string, unknown>): Logger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min || sinks.length === 0) return;
    const record = redactSecrets({ time: new Date().toISOString(), level, msg, ...bindings, ...fields });
    const line = `${JSON.stringify(record)}\n`;
    for (const sink of sinks) sink.write(line);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (more) => build(min, sinks, { ...bindings, ...more }),
  };
}

export const silentLogger: Logger = build(Infinity, [], {});
