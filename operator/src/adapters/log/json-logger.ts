// Structured logs: one JSON object a line ({time, level, msg, ...fields}), every line
// passed through the redaction function before it is written.
import type { LogFields, Logger, LogLevel } from '../../core/logger.ts';
import { LOG_LEVELS } from '../../core/logger.ts';

export interface JsonLoggerOptions {
  readonly level?: LogLevel;
  /** Where lines go. @default process.stderr */
  readonly write?: (line: string) => void;
  /** Masks secrets in a line's fields and message (core/redact.ts). @default identity */
  readonly redact?: (text: string) => string;
  readonly now?: () => Date;
}

export class JsonLogger implements Logger {
  readonly #min: number;
  readonly #fields: LogFields;
  readonly #options: JsonLoggerOptions;

  constructor(options: JsonLoggerOptions = {}, fields: LogFields = {}) {
    this.#options = options;
    this.#min = LOG_LEVELS.indexOf(options.level ?? 'info');
    this.#fields = fields;
  }

  debug(message: string, fields?: LogFields): void {
    this.#log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.#log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.#log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.#log('error', message, fields);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.#options, { ...this.#fields, ...fields });
  }

  #log(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (LOG_LEVELS.indexOf(level) < this.#min) return;
    const time = (this.#options.now?.() ?? new Date()).toISOString();
    const record = { time, level, msg, ...this.#fields, ...fields };
    let line = JSON.stringify(record, errorReplacer);
    if (this.#options.redact) line = this.#options.redact(line);
    (this.#options.write ?? ((l: string) => process.stderr.write(l)))(line + '\n');
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
