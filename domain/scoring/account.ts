import { Condition, ConditionContext } from '../condition';
import { parseDuration } from '../duration';
import { meaningOf, type EventType } from '../events';
import { fitPoints, ScoredEvent } from './evaluate';
import type { ScoringModel } from './model';

const RECENTLY_ACTIVE_MS = parseDuration('P3W')!;
const ENGAGEMENT_WINDOW_MS = parseDuration('P90D')!;
const INTEREST_WINDOW_MS = parseDuration('P6M')!;
/** Event properties that name what someone is interested in. */
export const INTEREST_KEYS = ['product', 'topic', 'interest', 'solution'] as const;
/** Everything a contact does counts as inbound except opting out; a CRM status change is sales' doing, not theirs. */
const OUTBOUND_OR_NEGATIVE: ReadonlySet<EventType> = new Set(['unsubscribe', 'crm_status_changed']);

/** What the account roll-up needs of one contact, kept on the person. */
export interface ContactSummary {
  personId: string;
  total: number;
  behavior: number;
  lastInboundAt?: string;
  inbound90d: number;
  interests: Record<string, number>;
}

export function summarizeContact(personId: string, score: { total: number; behavior: number }, events: readonly ScoredEvent[], now: number): ContactSummary {
  let lastInbound = -Infinity;
  let inbound90d = 0;
  const interests: Record<string, number> = {};
  for (const e of events) {
    const t = Date.parse(e.occurredAt);
    if (t > now) continue;
    if (!OUTBOUND_OR_NEGATIVE.has(meaningOf(e))) {
      lastInbound = Math.max(lastInbound, t);
      if (t > now - ENGAGEMENT_WINDOW_MS) inbound90d += 1;
    }
    if (t > now - INTEREST_WINDOW_MS) {
      for (const key of INTEREST_KEYS) {
        const v = e.properties?.[key];
        if (typeof v === 'string' && v.trim()) interests[v.trim()] = (interests[v.trim()] ?? 0) + 1;
      }
    }
  }
  return {
    personId,
    total: score.total,
    behavior: score.behavior,
    lastInboundAt: Number.isFinite(lastInbound) ? new Date(lastInbound).toISOString() : undefined,
    inbound90d,
    interests,
  };
}

function onlyAccountFields(c: Condition): boolean {
  if ('all' in c) return c.all.every(onlyAccountFields);
  if ('any' in c) return c.any.every(onlyAccountFields);
  if ('not' in c) return onlyAccountFields(c.not);
  return c.field.startsWith('account.');
}

export interface AccountRollup {
  score: { total: number; fit: number; engagementPoints: number };
  engagement: { inbound90d: number; contacts: { personId: string; engagement: number }[] };
  recentlyActiveContacts: { personId: string; lastInboundAt: string }[];
  topInterests: { interest: string; count: number }[];
  nextChangeAt?: string;
}

/**
 * The account's view of its people: fit of the account itself plus the
 * behaviour points its contacts earned; each contact's engagement relative to
 * the most engaged one (0-100, inbound interactions in 90 days); contacts
 * active in the rolling last 3 weeks; the top interests of 6 months.
 */
export function rollUpAccount(model: ScoringModel, account: Record<string, unknown>, contacts: readonly ContactSummary[], now: number): AccountRollup {
  const accountOnly = { ...model, fit: model.fit.filter((r) => onlyAccountFields(r.when)) };
  const fit = fitPoints(accountOnly, { account } as ConditionContext).points;
  const engagementPoints = contacts.reduce((s, c) => s + c.behavior, 0);
  const most = Math.max(0, ...contacts.map((c) => c.inbound90d));
  const recentlyActive = contacts
    .filter((c) => c.lastInboundAt && Date.parse(c.lastInboundAt) > now - RECENTLY_ACTIVE_MS)
    .map((c) => ({ personId: c.personId, lastInboundAt: c.lastInboundAt! }))
    .sort((a, b) => b.lastInboundAt.localeCompare(a.lastInboundAt));
  const interestCounts = new Map<string, number>();
  for (const c of contacts) for (const [k, n] of Object.entries(c.interests)) interestCounts.set(k, (interestCounts.get(k) ?? 0) + n);
  const leaving = recentlyActive.map((c) => Date.parse(c.lastInboundAt) + RECENTLY_ACTIVE_MS);
  return {
    score: { total: fit + engagementPoints, fit, engagementPoints },
    engagement: {
      inbound90d: contacts.reduce((s, c) => s + c.inbound90d, 0),
      contacts: contacts
        .map((c) => ({ personId: c.personId, engagement: most === 0 ? 0 : Math.round((100 * c.inbound90d) / most) }))
        .sort((a, b) => b.engagement - a.engagement || a.personId.localeCompare(b.personId)),
    },
    recentlyActiveContacts: recentlyActive,
    topInterests: [...interestCounts]
      .map(([interest, count]) => ({ interest, count }))
      .sort((a, b) => b.count - a.count || a.interest.localeCompare(b.interest))
      .slice(0, 5),
    nextChangeAt: leaving.length ? new Date(Math.min(...leaving)).toISOString() : undefined,
  };
}
