import type { Response } from 'express';
import { BuyingGroup } from '../../models/buying-group';
import { Person } from '../../models/person';
import { tableDownload, TableFormat } from './table-download';

const COLUMNS = ['accountKey', 'group', 'missingRoles', 'personId', 'email', 'firstName', 'lastName', 'jobTitle', 'role'] as const;

/**
 * The people of every account whose group for the interest is incomplete
 * (optionally: misses this role), one line each with the role they hold, so a
 * campaign can target the accounts and filter by role. Streamed group by group.
 */
export async function exportIncompleteGroups(res: Response, opts: { solutionInterest: string; missingRole?: string; format: TableFormat }): Promise<void> {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  const groups = (await BuyingGroup.find({ status: 'incomplete' }, { accountKey: 1, name: 1, solutionInterest: 1, missingRoles: 1, members: 1 }).sort({ _id: 1 }).lean()).filter(
    (g) => same(g.solutionInterest, opts.solutionInterest) && (!opts.missingRole || (g.missingRoles ?? []).some((r) => same(r, opts.missingRole!))),
  );
  const table = await tableDownload(res, { format: opts.format, filename: 'incomplete-buying-groups', columns: COLUMNS });
  for (const g of groups) {
    const roles = new Map(((g.members ?? []) as { personId: string; role: string }[]).map((m) => [m.personId, m.role]));
    const people = await Person.find({ accountKey: g.accountKey }, { email: 1, firstName: 1, lastName: 1, jobTitle: 1, mergedInto: 1 }).sort({ _id: 1 }).lean();
    const rows = people
      .filter((p) => !p.mergedInto)
      .map((p) => ({ accountKey: g.accountKey, group: g.name, missingRoles: (g.missingRoles ?? []).join('; '), personId: p._id, email: p.email, firstName: p.firstName, lastName: p.lastName, jobTitle: p.jobTitle, role: roles.get(p._id) }));
    await table.rows(rows);
  }
  table.end();
}
