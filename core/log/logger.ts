import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Fields never written, whatever a part logs: credentials in request headers (defence in depth;
 * access/ never logs a token, and the HTTP listeners do not log requests).
 */
const redact: LoggerOptions['redact'] = {
  paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'authorization', 'token'],
  censor: '[redacted]',
};

/** One logger for the process; parts take a child with their name. */
export function createLogger(level: string = 'info', destination?: NodeJS.WritableStream): Logger {
  return destination ? pino({ level, base: undefined, redact }, destination as pino.DestinationStream) : pino({ level, base: undefined, redact });
}

/** A logger that drops everything: for tests and benchmarks that print their own figures. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
