import { pino, type Logger } from 'pino';

export type { Logger };

/** One logger for the process; parts take a child with their name. */
export function createLogger(level: string = 'info', destination?: NodeJS.WritableStream): Logger {
  return destination ? pino({ level, base: undefined }, destination as pino.DestinationStream) : pino({ level, base: undefined });
}

/** A logger that drops everything: for tests and benchmarks that print their own figures. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
