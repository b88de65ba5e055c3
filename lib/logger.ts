import pino from 'pino';
import { loadConfig } from './config';

/** An email address as written or URL-encoded (`ann%40acme.com` in a request path). */
const EMAIL = /[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}/gi;

/**
 * Logs never hold an email or a secret. Secrets sit in known fields; emails
 * turn up anywhere (request URLs, query strings, database error messages), so
 * they are masked in every line as it is written.
 */
export function createLogger(destination?: pino.DestinationStream, level: string = loadConfig().LOG_LEVEL): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: process.env.B2B_SERVICE ?? 'b2b' },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.email', 'email', '*.secret', '*.accessToken', '*.password'],
      censor: '[masked]',
    },
    hooks: { streamWrite: (line) => line.replace(EMAIL, '[email]') },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const logger = createLogger();

export type Logger = pino.Logger;
