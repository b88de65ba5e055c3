import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

/** The admin key of the embedded development set-up: the only one ever printed. */
export const DEV_ADMIN_KEY = 'dev-admin-key';

const schema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(3000),
  MONGO_URL: z.string().default('mongodb://127.0.0.1:27017/b2b'),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TASK_QUEUE: z.string().min(1).default('b2b-engine'),
  /** The SMTP relay email goes out through (smtp:// or smtps://, credentials in the URL); the default is the embedded MailDev. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).default('smtp://127.0.0.1:1025'),
  /** The sender of engine email unless a message names its own. */
  MAIL_FROM: z.string().min(3).default('Marketing <marketing@example.com>'),
  ADMIN_API_KEY: z.string().min(8).default(DEV_ADMIN_KEY),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default(path.resolve(__dirname, '..', '.data')),
  /** How long a stored event may wait for its signal before the sweeper re-sends it. */
  SWEEPER_GRACE_SECONDS: z.coerce.number().int().min(1).default(30),
  SWEEPER_EVERY_SECONDS: z.coerce.number().int().min(1).default(60),
  SEGMENT_REFRESH_EVERY_SECONDS: z.coerce.number().int().min(60).default(86400),
  /** Signs journey webhooks (X-Signature: sha256=HMAC of the body); set your own outside development. */
  JOURNEY_WEBHOOK_SECRET: z.string().min(16).default('dev-webhook-secret-change-me'),
  /** Journey webhooks may call loopback and private addresses (local receivers, tests); off in docker-compose. */
  JOURNEY_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Requests per API key per minute before 429 (per API process); far above what clients and benches send. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60000),
  /** Web origins allowed to call the tracking routes from a browser (analytics.js): comma-separated, `*` for any; none by default. */
  TRACKING_CORS_ORIGINS: z.string().default(''),
  /** Tracking requests one API process takes at once; beyond it a 429 with Retry-After (backpressure the SDKs honour). */
  TRACKING_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(16),
  /** Where people reach the engine from their mail: unsubscribe pages and tracked links (http(s), no trailing slash). */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000').transform((u) => u.replace(/\/+$/, '')),
  /** Signs unsubscribe and tracking tokens; set your own outside development. */
  EMAIL_TOKEN_SECRET: z.string().min(16).default('dev-email-token-secret-change-me'),
  /** Encrypts the credentials of CRM connections at rest (access tokens, inbound secrets); set your own outside development, and keep it: stored credentials open only with it. */
  CRM_SECRET_KEY: z.string().min(16).default('dev-crm-secret-key-change-me'),
  /** Marketing and sales emails per second through the email channel's task queue (the SMTP relay's limit). */
  EMAIL_RATE_PER_SECOND: z.coerce.number().positive().default(20),
  /** Emails a delivery batch claims and sends together (one activity); the email queue starts EMAIL_RATE_PER_SECOND / EMAIL_BATCH_SIZE batches a second. */
  EMAIL_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(50),
  /** Attempts of a transient failure (SMTP down, 4xx) before a message is dead, the first retry after EMAIL_RETRY_INITIAL_SECONDS, doubling. */
  EMAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(12),
  EMAIL_RETRY_INITIAL_SECONDS: z.coerce.number().min(0.1).default(30),
  /** The shortest rhythm a lead transfer may run at (`every`); tests go down to a second. */
  LEAD_TRANSFER_MIN_EVERY_SECONDS: z.coerce.number().int().min(1).default(60),
  /**
   * Workflows a worker keeps in memory between their tasks: beyond it the least recently used is evicted and
   * replayed from its short history when it next wakes. At 10,000 open journeys the journeys-memory bench held the
   * worker at 784-929 MB with 1,000, its peak at 874-1,058 MB over four runs (2,000 held 1,331 MB; 500
   * held 721 MB, peak 863 MB). 1,000 stays above the ~540 account workflows a re-score wakes at once, so a live
   * account's task does not wait behind their replays; 500 is the size that kept the peak within 1 GiB every time.
   */
  WORKFLOW_CACHE_SIZE: z.coerce.number().int().min(0).default(1000),
  /**
   * How far the worker's heaps may grow past what they held after a full collection before the next one, in
   * percent (workers/heap.ts); 0 is V8's own choice. Launching 10,000 journeys, the journeys-memory bench's worker
   * peaked at 1,064 MB with V8's choice and at 571 MB with 30; but with 30 an event took twice as long to take its
   * journey's branch (p99 11.9 s against 6.6 s in a pair of journeys runs), so the default stays V8's.
   */
  WORKER_HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(400).default(0),
  /**
   * Background activities (refreshes no event asked for: re-scores, segment evaluations, buying-group set-ups) a worker
   * runs at a time: enough to keep the database busy, few enough to leave it to live events.
   */
  BACKGROUND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** History events after which the account and journey workflows continue as new. */
  ACCOUNT_HISTORY_LIMIT: z.coerce.number().int().min(50).default(5000),
});

export type Config = z.infer<typeof schema>;

let cached: Config | undefined;

/** Reads and validates the environment once; a bad value stops the process with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (cached && env === process.env) return cached;
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  if (env === process.env) cached = parsed.data;
  return parsed.data;
}
