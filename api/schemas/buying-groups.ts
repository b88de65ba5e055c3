import { z } from '../zod';

export const GroupView = z
  .object({
    id: z.string(),
    name: z.string(),
    accountKey: z.string(),
    solutionInterest: z.string(),
    members: z.array(z.object({ personId: z.string(), role: z.string(), manual: z.boolean().optional(), runnerUp: z.string().optional() })),
    missingRoles: z.array(z.string()),
    completeness: z.number(),
    engagement: z.number(),
    status: z.enum(['incomplete', 'complete', 'shared_with_sales']),
    sharedAt: z.string().nullable(),
    history: z.array(z.unknown()),
  })
  .openapi('BuyingGroup');

export function groupView(g: Record<string, any>): z.infer<typeof GroupView> {
  return {
    id: g._id,
    name: g.name,
    accountKey: g.accountKey,
    solutionInterest: g.solutionInterest,
    members: g.members ?? [],
    missingRoles: g.missingRoles ?? [],
    completeness: g.completeness ?? 0,
    engagement: g.engagement ?? 0,
    status: g.status ?? 'incomplete',
    sharedAt: g.sharedAt ? new Date(g.sharedAt).toISOString() : null,
    history: g.history ?? [],
  };
}
