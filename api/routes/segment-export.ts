import type { Response } from 'express';
import { findEach } from '../../lib/each-statement';
import { Account } from '../../models/account';
import { Person } from '../../models/person';
import { SegmentMember } from '../../models/segment-membership';
import { tableDownload, TableFormat } from './table-download';

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
export async function exportMembers(res: Response, opts: { segmentId: string; name: string; level: 'person' | 'account'; format: TableFormat }): Promise<void> {
  const columns = COLUMNS[opts.level];
  const table = await tableDownload(res, { format: opts.format, filename: opts.name, columns });
  for (let offset = 0; ; offset += PAGE) {
    const members = await SegmentMember.find({ segmentId: opts.segmentId }, { memberId: 1 }).sort({ _id: 1 }).skip(offset).limit(PAGE).lean();
    if (members.length === 0) break;
    const rows = await rowsFor(opts.level, members.map((m) => m.memberId));
    await table.rows(rows);
    if (members.length < PAGE) break;
  }
  table.end();
}
