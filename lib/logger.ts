import pino from 'pino';
import { loadConfig } from './config';

export const logger = pino({
  level: loadConfig().LOG_LEVEL,
  base: { service: process.env.B2B_SERVICE ?? 'b2b' },
  redact: { paths: ['req.headers.authorization', '*.email', 'email'], censor: '[masked]' },
});

export type Logger = pino.Logger;
