import type { CrmPerson } from './records';

type StoredPerson = {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  jobTitle?: string | null;
  attributes?: unknown;
  score?: { total?: number; status?: string; breakdown?: { points: number; reason: string }[] } | null;
  summary?: { interests?: Record<string, number> } | null;
};

const SUMMARY_ITEMS = 3;

/** One line on why the score is what it is: its largest parts, e.g. "42: pricing page visit (+20), VP title (+15), webinar (+7)". */
export function scoreSummary(score: StoredPerson['score']): string | undefined {
  if (!score || score.total === undefined) return undefined;
  const parts = [...(score.breakdown ?? [])].sort((a, b) => Math.abs(b.points) - Math.abs(a.points)).slice(0, SUMMARY_ITEMS);
  const items = parts.map((p) => `${p.reason} (${p.points >= 0 ? '+' : ''}${p.points})`);
  return items.length ? `${score.total}: ${items.join(', ')}` : String(score.total);
}

/**
 * What a CRM is told about a lead, read when it is sent (not when it was
 * queued): the score, status and why, interests (most frequent first), tags
 * and buying-group role, and the company by domain. Undefined when the person
 * has no email to upsert by.
 */
export function crmPersonOf(messageId: string, person: StoredPerson, context: { role?: string; companyDomain?: string | null }): CrmPerson | undefined {
  if (!person.email) return undefined;
  const interests = Object.entries(person.summary?.interests ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([k]) => k);
  const tags = (person.attributes as { tags?: unknown } | undefined)?.tags;
  return {
    messageId,
    email: person.email,
    ...(person.firstName ? { firstName: person.firstName } : {}),
    ...(person.lastName ? { lastName: person.lastName } : {}),
    ...(person.jobTitle ? { jobTitle: person.jobTitle } : {}),
    ...(person.score?.total !== undefined ? { score: person.score.total } : {}),
    ...(person.score?.status ? { status: person.score.status } : {}),
    ...(scoreSummary(person.score) ? { summary: scoreSummary(person.score) } : {}),
    ...(interests.length ? { interests } : {}),
    ...(Array.isArray(tags) ? { tags: tags.map(String) } : {}),
    ...(context.role ? { role: context.role } : {}),
    ...(context.companyDomain ? { companyDomain: context.companyDomain } : {}),
  };
}
