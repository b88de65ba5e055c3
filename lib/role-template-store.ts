import type { RoleTemplate } from '../domain/buying-groups/template';
import { RoleTemplateDoc } from '../models/role-template';
import { withNextRevision } from './revisions';
import { versionedCache } from './versioned-cache';

export interface TemplateSet {
  revision: number;
  byKey: Map<string, RoleTemplate>;
}

export async function readTemplates(): Promise<TemplateSet> {
  const docs = await RoleTemplateDoc.find({}).lean();
  return { revision: Math.max(0, ...docs.map((d) => d.revision)), byKey: new Map(docs.map((d) => [d._id, d.template as RoleTemplate])) };
}

/** Role templates as entity batches see them, read at most once a second per process. */
export const roleTemplates = versionedCache(readTemplates, (t) => t.revision);

const latestRevision = async () => (await RoleTemplateDoc.findOne({}, { revision: 1 }).sort({ revision: -1 }).lean())?.revision ?? 0;

/** Creates or replaces a template; true when it is new. */
export async function saveTemplate(key: string, template: RoleTemplate): Promise<{ created: boolean; revision: number }> {
  const existed = (await RoleTemplateDoc.countDocuments({ _id: key })) > 0;
  const revision = await withNextRevision(latestRevision, (revision) =>
    RoleTemplateDoc.updateOne({ _id: key }, { $set: { template, revision, updatedAt: new Date() } }, { upsert: true }),
  );
  return { created: !existed, revision };
}
