// `npm run import -- <file> [--kind accounts|people|events] [--url http://127.0.0.1:3000] [--key <api key>]`
// Uploads the file to POST /v1/imports and follows the import on one line until
// it ends; exits 1 when the import (or the upload) failed, 2 on a usage error.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const KINDS = ['accounts', 'people', 'events'] as const;
const FORMATS: Record<string, 'csv' | 'ndjson'> = { '.csv': 'csv', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };
const POLL_MS = 500;
/** Consecutive failed polls (the API restarting) tolerated before giving up. */
const POLL_FAILURES = 20;

class UsageError extends Error {}

interface Options {
  file: string;
  kind: string;
  format: 'csv' | 'ndjson';
  url: string;
  key: string;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Options {
  const flags: Record<string, string> = {};
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) files.push(a);
    else if (i + 1 < argv.length) flags[a.slice(2)] = argv[++i];
    else throw new UsageError(`${a} needs a value`);
  }
  if (files.length !== 1) throw new UsageError('give exactly one file');
  // npm runs scripts from the package root; a relative path means the caller's directory.
  const file = path.resolve(env.INIT_CWD ?? process.cwd(), files[0]);
  const name = path.basename(file).toLowerCase();
  const kind = flags.kind ?? KINDS.find((k) => name.includes(k));
  if (!kind || !(KINDS as readonly string[]).includes(kind)) throw new UsageError(`say --kind ${KINDS.join('|')} (the file name does not tell)`);
  const format = FORMATS[path.extname(name)];
  if (!format) throw new UsageError('the file must end in .csv, .ndjson or .jsonl');
  const url = (flags.url ?? `http://127.0.0.1:${env.PORT ?? 3000}`).replace(/\/+$/, '');
  return { file, kind, format, url, key: flags.key ?? env.ADMIN_API_KEY ?? 'dev-admin-key' };
}

interface ImportStatus {
  status: 'queued' | 'running' | 'completed' | 'failed';
  total: number;
  done: number;
  failed: number;
  duplicates: number;
  errorCount: number;
  errors: { row: number; line: number; field?: string; message: string }[];
  failureReason?: string;
}

function progressLine(s: ImportStatus, width = 30): string {
  const processed = s.done + s.failed;
  const share = s.total ? processed / s.total : 1;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${processed}/${s.total} rows, ${s.failed} failed`;
}

async function call<T>(opts: Options, method: string, pathname: string, body?: Buffer, contentType?: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${opts.url}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${opts.key}`, ...(contentType ? { 'content-type': contentType } : {}) },
      body,
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new Error(`cannot reach the API at ${opts.url} (${cause}); is it running? (npm start, or give --url)`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = JSON.parse(text).error?.message ?? text;
    } catch {
      // not JSON
    }
    throw new Error(`${method} ${pathname}: ${res.status} ${message}`);
  }
  return JSON.parse(text) as T;
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\nusage: npm run import -- <file.csv|file.ndjson|file.jsonl> [--kind ${KINDS.join('|')}] [--url http://127.0.0.1:3000] [--key <api key>]`);
    return 2;
  }
  const contentType = opts.format === 'csv' ? 'text/csv' : 'application/x-ndjson';
  const { importId, total } = await call<{ importId: string; total: number }>(
    opts, 'POST', `/v1/imports?kind=${opts.kind}&format=${opts.format}`, readFileSync(opts.file), contentType,
  );
  console.log(`import ${importId}: ${total} ${opts.kind} from ${path.basename(opts.file)}`);
  let status: ImportStatus | undefined;
  for (let failures = 0; status?.status !== 'completed' && status?.status !== 'failed'; ) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    try {
      status = await call<ImportStatus>(opts, 'GET', `/v1/imports/${importId}`);
      failures = 0;
      process.stdout.write(`\r${progressLine(status)}`);
    } catch (err) {
      if (++failures >= POLL_FAILURES) throw new Error(`lost the API while following import ${importId}: ${(err as Error).message}`);
    }
  }
  process.stdout.write('\n');
  const dup = status.duplicates ? `, ${status.duplicates} already known` : '';
  console.log(`${status.status}: ${status.done} imported${dup}, ${status.failed} failed${status.failureReason ? ` (${status.failureReason})` : ''}`);
  for (const e of status.errors.slice(0, 10)) console.log(`  row ${e.row} (line ${e.line})${e.field ? ` ${e.field}` : ''}: ${e.message}`);
  if (status.errorCount > 10) console.log(`  ... ${status.errorCount - 10} more: GET /v1/imports/${importId}`);
  return status.status === 'completed' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`import failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
