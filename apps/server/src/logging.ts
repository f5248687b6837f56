import type { LoggerService } from '@nestjs/common';
import pino from 'pino';
import type { Logger } from '@wolfe/application';

export type PinoLogger = pino.Logger;

/**
 * Structured JSON logs on stdout. Authorization headers and token-like fields are
 * redacted by path as a second line of defence; code never logs them on purpose.
 */
export function createLogger(level: string): PinoLogger {
  return pino({
    level,
    base: { service: 'wolfe' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'secret', '*.secret'], censor: '[redacted]' },
  });
}

/** The application's Logger port over pino. */
export function appLogger(p: PinoLogger): Logger {
  return {
    debug: (f, m) => p.debug(f, m),
    info: (f, m) => p.info(f, m),
    warn: (f, m) => p.warn(f, m),
    error: (f, m) => p.error(f, m),
  };
}

/** NestJS's own messages, through the same structured logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly p: PinoLogger) {}
  log(message: unknown, context?: string): void {
    this.p.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.p.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.p.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.p.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.p.trace({ context }, String(message));
  }
}
