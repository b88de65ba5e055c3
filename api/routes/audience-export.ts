import type { Response } from 'express';
import { AudienceMember } from '../../models/audience';
import { tableDownload } from './table-download';

/** Members read per page: bounded memory whatever the audience's size. */
const PAGE = 1000;

/** Streams the hashed emails the platform holds for an audience (its confirmed members), page by page. */
export async function exportAudience(res: Response, opts: { key: string; name: string }): Promise<void> {
  const table = await tableDownload(res, { format: 'csv', filename: opts.name, columns: ['sha256_email'] });
  for (let offset = 0; ; offset += PAGE) {
    const members = await AudienceMember.find({ audienceKey: opts.key }, { sha256Email: 1 }).sort({ _id: 1 }).skip(offset).limit(PAGE).lean();
    await table.rows(members.map((m) => ({ sha256_email: m.sha256Email })));
    if (members.length < PAGE) break;
  }
  table.end();
}
