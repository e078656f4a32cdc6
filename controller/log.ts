/**
 * Structured logs: one JSON object per line on stderr, with `time`, `level`, `msg` and
 * the fields, so that a log pipeline can index them without parsing prose. No library:
 * the whole of what we need is a level filter, bound fields and error serialisation.
 */

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  log(level: LogLevel, msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (a later field of the same name wins). */
  child(fields: LogFields): Logger;
  /**
   * The one line per reconcile: `group`, `outcome`, `changesApplied`, `durationMs`.
   * Logged at `level` (info by default; the caller raises it for failures).
   */
  reconcileLine(
    group: string,
    outcome: string,
    changesApplied: number,
    durationMs: number,
    extra?: LogFields & { readonly level?: LogLevel },
  ): void;
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /** Receives one complete line, newline included. @default process.stderr.write */
  readonly write?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = logLevels.indexOf(options.level ?? 'info');
  const write =
    options.write ??
    ((line: string) => {
      process.stderr.write(line);
    });
  const now = options.now ?? Date.now;
  return makeLogger({}, minimum, write, now);
}

function makeLogger(
  bound: LogFields,
  minimum: number,
  write: (line: string) => void,
  now: () => number,
): Logger {
  const enabled = (level: LogLevel): boolean => logLevels.indexOf(level) >= minimum;
  const log = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (!enabled(level)) return;
    const record: Record<string, unknown> = {
      time: new Date(now()).toISOString(),
      level,
      msg,
    };
    for (const source of [bound, fields ?? {}]) {
      for (const [key, value] of Object.entries(source)) {
        // The three envelope keys are the contract with log pipelines; a field may not shadow them.
        if (key === 'time' || key === 'level' || key === 'msg') continue;
        record[key] = value;
      }
    }
    write(`${safeStringify(record)}\n`);
  };
  return {
    debug: (msg, fields) => {
      log('debug', msg, fields);
    },
    info: (msg, fields) => {
      log('info', msg, fields);
    },
    warn: (msg, fields) => {
      log('warn', msg, fields);
    },
    error: (msg, fields) => {
      log('error', msg, fields);
    },
    log,
    child: (fields) => makeLogger({ ...bound, ...fields }, minimum, write, now),
    reconcileLine(group, outcome, changesApplied, durationMs, extra = {}) {
      const { level = 'info', ...rest } = extra;
      log(level, 'reconciled', {
        ...rest,
        group,
        outcome,
        changesApplied,
        durationMs: Math.round(durationMs),
      });
    },
    enabled,
  };
}

/** Errors become `{name, message, cause}` (an Error's own fields are not enumerable). */
export function serializeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  for (const [key, value] of Object.entries(err)) {
    // A Kubernetes ApiException carries every response header; they drown the message.
    if (key !== 'cause' && key !== 'stack' && key !== 'headers') out[key] = value;
  }
  if (err.cause !== undefined && depth < 3) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

function safeStringify(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, value: unknown) => {
    if (value instanceof Error) return serializeError(value);
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Map) return Object.fromEntries(value as Map<string, unknown>);
    if (value instanceof Set) return [...(value as Set<unknown>)];
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  });
}
