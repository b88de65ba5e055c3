import type { Response } from 'express';
import { findEach } from '../../lib/each-statement';
import { Account } from '../../models/account';
import { Person } from '../../models/person';
import { SegmentMember } from '../../models/segment-membership';
import { csvLine } from './csv-line';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;

/** Members looked up per page: bounded memory whatever the segment's size. */
const PAGE = 500;

const COLUMNS = {
  person: ['personId', 'email', 'firstName', 'lastName', 'jobTitle', 'accountKey'],
  account: ['accountKey', 'name', 'domain', 'industry', 'country'],
} as const;

async function rowsFor(level: 'person' | 'account', ids: string[]): Promise<Record<string, unknown>[]> {
  if (level === 'person') {
    const people = await findEach(ids, (_id) => Person.find({ _id }, { email: 1, firstName: 1, lastName: 1, jobTitle: 1, accountKey: 1 }).lean());
    return people.map((p) => ({ personId: p._id, email: p.email, firstName: p.firstName, lastName: p.lastName, jobTitle: p.jobTitle, accountKey: p.accountKey }));
  }
  const accounts = await findEach(ids, (_id) => Account.find({ _id }, { name: 1, domain: 1, industry: 1, country: 1 }).lean());
  return accounts.map((a) => ({ accountKey: a._id, name: a.name, domain: a.domain, industry: a.industry, country: a.country }));
}

/** Streams the members page by page, so a large audience never sits in memory; waits when the client reads slowly. */
export async function exportMembers(res: Response, opts: { segmentId: string; name: string; level: 'person' | 'account'; format: (typeof EXPORT_FORMATS)[number] }): Promise<void> {
  const columns = COLUMNS[opts.level];
  const filename = `${opts.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80) || 'segment'}.${opts.format}`;
  res.status(200);
  res.setHeader('content-type', opts.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
  res.setHeader('content-disposition', `attachment; filename="${filename}"`);
  const write = async (chunk: string) => {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  };
  if (opts.format === 'csv') await write(`${columns.join(',')}\n`);
  for (let offset = 0; ; offset += PAGE) {
    const members = await SegmentMember.find({ segmentId: opts.segmentId }, { memberId: 1 }).sort({ _id: 1 }).skip(offset).limit(PAGE).lean();
    if (members.length === 0) break;
    const rows = await rowsFor(opts.level, members.map((m) => m.memberId));
    const lines = rows.map((r) => (opts.format === 'csv' ? csvLine(columns, r) : JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])))));
    if (lines.length) await write(`${lines.join('\n')}\n`);
    if (members.length < PAGE) break;
  }
  res.end();
}
