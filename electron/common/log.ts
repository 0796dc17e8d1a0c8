import fs from 'node:fs';
import path from 'node:path';
import { redactSecrets } from './redact.js';

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
 * message text itself, which callers build from non-secret values.
 */
export function createLogger(options: { file?: string; level?: LogLevel; stderr?: boolean; bindings?: Record<string, unknown> } = {}): Logger {
  const min = LEVELS[options.level ?? ((process.env.FLEET_LOG_LEVEL as LogLevel | undefined) ?? 'info')] ?? LEVELS.info;
  const sinks: Sink[] = [];
  if (options.file) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true, mode: 0o700 });
    const fd = fs.openSync(options.file, 'a', 0o600);
    sinks.push({ write: (line) => fs.writeSync(fd, line) });
  }
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
