import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { makeImportActivities } from '../activities/import';
import { createApp } from '../api/app';
import { ImportChunk } from '../models/import';
import { Person } from '../models/person';
import { importWorkflowId } from '../workflows/import';
import type { importWorkflow } from '../workflows/import';
import { event } from './support/events';
import { ADMIN_KEY, eventually, Harness, startHarness } from './support/harness';

let h: Harness;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  h = await startHarness();
  // h.api sends JSON; an import is a raw file, so this file keeps a second API
  // server on the same database and task queue to post files (and for the CLI).
  const app = createApp({ temporal: h.client, delivery: h.delivery, logger: pino({ level: 'silent' }) });
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await h?.close();
});

const CONTENT_TYPE = { csv: 'text/csv', ndjson: 'application/x-ndjson' } as const;

async function upload(query: string, file: string, contentType: string = CONTENT_TYPE.csv) {
  const res = await fetch(`${baseUrl}/v1/imports?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': contentType },
    body: file,
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function finished(importId: string) {
  return eventually(
    async () => {
      const res = await h.api('GET', `/v1/imports/${importId}`);
      return ['completed', 'failed'].includes(res.body.status) ? res.body : undefined;
    },
    { what: `import ${importId} to finish`, timeoutMs: 60000 },
  );
}

async function accountActivity(key: string, total: number) {
  return eventually(
    async () => {
      const res = await h.api('GET', `/v1/accounts/${key}`);
      return res.body.activity?.total === total ? res.body.activity : undefined;
    },
    { what: `account ${key} to show ${total} interactions`, timeoutMs: 30000 },
  );
}

describe('importing people', () => {
  test('a people CSV creates each new person with every column on her profile, and of two rows for one new person the later one wins', async () => {
    const csv = ['email,firstName,jobTitle,seniority', 'nia@rows.example,Nia,CTO,executive', 'oz@rows.example,Oz,Engineer,senior', 'oz@rows.example,Oscar,Head of Engineering,director'].join('\n');
    const res = await upload('kind=people&format=csv', `${csv}\n`);
    expect(res.status).toBe(202);
    expect(await finished(res.body.importId)).toMatchObject({ status: 'completed', failed: 0 });
    const profile = async (email: string) => {
      const person = await Person.findOne({ email }).lean();
      return (await h.api('GET', `/v1/people/${person!._id}`)).body.attributes;
    };
    expect(await profile('nia@rows.example')).toMatchObject({ firstName: 'Nia', jobTitle: 'CTO', seniority: 'executive' });
    expect(await profile('oz@rows.example')).toMatchObject({ firstName: 'Oscar', jobTitle: 'Head of Engineering', seniority: 'director' });
  });
});

describe('importing accounts', () => {
  test('a CSV of accounts with quoted names and one bad row imports the good rows and names the bad row and field', async () => {
    const csv = [
      'accountKey,name,domain,employees,fundingRound',
      'northwind,"Northwind Traders, Inc.",northwind.example,1200,Series D',
      'contoso,"Contoso ""Big"" Ltd",contoso.example,80,',
      'initech,Initech,initech.example,many,"Series B"',
    ].join('\r\n');
    const res = await upload('kind=accounts&format=csv', `${csv}\r\n`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ total: 3, chunks: 1 });

    const result = await finished(res.body.importId);
    expect(result).toMatchObject({ status: 'completed', total: 3, done: 2, failed: 1, errorCount: 1 });
    expect(result.errors).toEqual([{ row: 3, line: 4, field: 'employees', message: expect.stringMatching(/expected number/) }]);

    const northwind = (await h.api('GET', '/v1/accounts/northwind')).body;
    expect(northwind.attributes).toMatchObject({ name: 'Northwind Traders, Inc.', employees: 1200, fundingRound: 'Series D' });
    expect((await h.api('GET', '/v1/accounts/contoso')).body.attributes.name).toBe('Contoso "Big" Ltd');
    expect((await h.api('GET', '/v1/accounts/initech')).status).toBe(404);
  });
});

describe('importing events', () => {
  const KEYS = ['bulk-0', 'bulk-1', 'bulk-2', 'bulk-3', 'bulk-4'];
  // 50 people over 5 accounts, alternating opens and visits: 500 events per account.
  const events = Array.from({ length: 2500 }, (_, i) =>
    event({
      eventId: `bulk-evt-${i}`,
      type: i % 2 ? 'web_visit' : 'email_open',
      accountKey: KEYS[i % 5],
      person: { email: `user${i % 50}@bulk${i % 5}.example` },
    }),
  );
  const ndjson = `${events.map((e) => JSON.stringify(e)).join('\n')}\n`;

  test('an NDJSON of 2,500 events imports in chunks and the accounts show every event once', async () => {
    const accounts = KEYS.map((accountKey) => JSON.stringify({ accountKey, name: `Bulk ${accountKey}` })).join('\n');
    const accountImport = await upload('kind=accounts&format=ndjson', accounts, CONTENT_TYPE.ndjson);
    expect(await finished(accountImport.body.importId)).toMatchObject({ status: 'completed', done: 5 });

    const res = await upload('kind=events', ndjson, CONTENT_TYPE.ndjson);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ total: 2500, chunks: 5 });
    const result = await finished(res.body.importId);
    expect(result).toMatchObject({ status: 'completed', total: 2500, done: 2500, failed: 0, duplicates: 0, errors: [] });
    // The workflow counted the same, chunk by chunk, and answers it as its `progress` query.
    const workflow = h.client.workflow.getHandle(importWorkflowId(res.body.importId));
    expect(await workflow.result()).toMatchObject({ status: 'completed', done: 2500, chunks: 5, chunksDone: 5 });
    expect(await workflow.query('progress')).toEqual(await workflow.result());

    for (const key of KEYS) {
      expect(await accountActivity(key, 500)).toEqual({ total: 500, byType: { email_open: 250, web_visit: 250 } });
    }
  });

  test('re-importing the same events file counts them as duplicates, not twice', async () => {
    const res = await upload('kind=events&format=ndjson', ndjson, CONTENT_TYPE.ndjson);
    const result = await finished(res.body.importId);
    expect(result).toMatchObject({ status: 'completed', total: 2500, done: 2500, failed: 0, duplicates: 2500 });
    // Duplicates are never signalled, so the accounts are already final.
    for (const key of KEYS) expect((await h.api('GET', `/v1/accounts/${key}`)).body.activity.total).toBe(500);
  });
});

describe('files that cannot be imported', () => {
  test('an import with an unknown kind is a 400 naming it', async () => {
    const res = await upload('kind=opportunities&format=csv', 'name\nBig deal\n');
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['query.kind']);
  });

  test.each([
    ['an empty body', 'body', 'kind=accounts&format=csv', '', /empty/, CONTENT_TYPE.csv],
    ['a column no account has', 'body', 'kind=accounts&format=csv', 'accountKey,name,color\nacme,Acme,red\n', /unknown column 'color'/, CONTENT_TYPE.csv],
    ['a header without rows', 'body', 'kind=people&format=csv', 'email,firstName\n', /no rows/, CONTENT_TYPE.csv],
    ['an unclosed quote', 'body', 'kind=accounts&format=csv', 'accountKey,name\nacme,"Acme\n', /line 2/, CONTENT_TYPE.csv],
    ['an unknown format', 'query.format', 'kind=accounts&format=xlsx', 'accountKey,name\n', /expected one of/, CONTENT_TYPE.csv],
    ['a JSON document instead of a file', 'body', 'kind=accounts&format=ndjson', '{"accountKey":"acme"}', /raw file/, 'application/json'],
  ])('%s is a 400 naming %s', async (_what, path, query, file, message, contentType) => {
    const res = await upload(query, file, contentType);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path, message: expect.stringMatching(message) });
  });
});

describe('durability', () => {
  test('an import interrupted after a chunk was written resumes there, continues as new, and counts every row once', async () => {
    await h.api('PUT', '/v1/accounts/resume', { name: 'Resume Inc' });
    await h.stopWorker();
    const rows = Array.from({ length: 1100 }, (_, i) => `resume${i}@resume.example,Person ${i},resume`);
    const res = await upload('kind=people&format=csv', ['email,firstName,accountKey', ...rows].join('\n'));
    expect(res.body).toMatchObject({ total: 1100, chunks: 3 });
    const { importId } = res.body;

    // Run this import with a continue-as-new after every chunk, to cross runs as a 200-chunk import does.
    const workflowId = importWorkflowId(importId);
    await h.client.workflow.getHandle(workflowId).terminate('replaced by a run that continues as new after each chunk');
    const started = await h.client.workflow.start<typeof importWorkflow>('importWorkflow', {
      workflowId,
      taskQueue: h.config.TASK_QUEUE,
      args: [{ importId, chunks: 3, total: 1100, chunksPerRun: 1 }],
    });
    // A worker wrote chunk 0 and crashed before Temporal heard of it, and the retry ran it again.
    const activities = makeImportActivities(h.delivery);
    const first = await activities.importChunk({ importId, chunk: 0 });
    expect(await activities.importChunk({ importId, chunk: 0 })).toEqual(first);
    expect((await h.api('GET', `/v1/imports/${importId}`)).body).toMatchObject({ status: 'running', done: 500 });

    await h.startWorker();
    const result = await finished(importId);
    expect(result).toMatchObject({ status: 'completed', total: 1100, done: 1100, failed: 0 });
    expect(await started.result()).toMatchObject({ done: 1100, chunksDone: 3 });
    expect((await h.client.workflow.getHandle(workflowId).describe()).runId).not.toBe(started.firstExecutionRunId);
    expect((await h.api('PUT', '/v1/people/resume1099@resume.example', {})).status).toBe(200);
    // A completed import leaves no chunks behind.
    expect(await ImportChunk.countDocuments({ importId })).toBe(0);
  });
});

describe('the import command', () => {
  test('npm run import -- people.csv draws a progress bar to 100% and lists the refused rows', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'b2b-import-'));
    const file = path.join(dir, 'people.csv');
    writeFileSync(file, 'email,firstName,jobTitle\nada@cli.example,Ada,CTO\nnot-an-email,Bob,\ncy@cli.example,Cy,"VP, Sales"\n');
    const root = path.resolve(__dirname, '..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/import-cli.ts', file, '--url', baseUrl, '--key', ADMIN_KEY],
      { cwd: root },
    );
    expect(stdout).toMatch(/\r\[#{30}\] 100% 3\/3 rows, 1 failed/);
    expect(stdout).toMatch(/completed: 2 imported, 1 failed/);
    expect(stdout).toMatch(/row 2 \(line 3\) email: /);
  });
});
