import { type Logger, pino } from 'pino';

/** JSON logs on stderr (stdout carries the human lines: URL and admin token). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'hookline' } }, pino.destination({ fd: 2, sync: false }));
}
