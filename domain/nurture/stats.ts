import type { NurtureDefinition } from './definition';

/** The `origin` of a stream's outbound messages. */
export const nurtureOrigin = (streamId: string) => `nurture:${streamId}`;

/** What the stats need of one of a stream's outbound messages. */
export interface CastMessage {
  step?: string | null;
  status: string;
  deferredAt?: Date | null;
  clickedAt?: Date | null;
}

export interface CampaignCounts {
  /** Messages the campaign's casts recorded. */
  cast: number;
  /** Still to go out: pending, or put off until their time. */
  waiting: number;
  sent: number;
  suppressed: number;
  /** Put off at least once by a cap or the send window (whatever became of them since). */
  deferred: number;
  /** Failed and waiting for a retry, or dead. */
  failed: number;
  /** Emails with a recorded click (scanners' clicks are not recorded). */
  clicked: number;
}

export interface StreamStats {
  stages: { stage: number; name: string; campaigns: ({ id: string } & CampaignCounts)[]; totals: CampaignCounts }[];
  totals: CampaignCounts;
}

const zero = (): CampaignCounts => ({ cast: 0, waiting: 0, sent: 0, suppressed: 0, deferred: 0, failed: 0, clicked: 0 });

function add(into: CampaignCounts, from: CampaignCounts): void {
  for (const k of Object.keys(into) as (keyof CampaignCounts)[]) into[k] += from[k];
}

function count(into: CampaignCounts, m: CastMessage): void {
  into.cast += 1;
  if (m.status === 'pending' || m.status === 'deferred') into.waiting += 1;
  else if (m.status === 'sent') into.sent += 1;
  else if (m.status === 'suppressed') into.suppressed += 1;
  else into.failed += 1;
  if (m.deferredAt) into.deferred += 1;
  if (m.clickedAt) into.clicked += 1;
}

/** Counts per stage and campaign, in the stream's order, from its messages (each names its campaign in `step`). */
export function streamStats(definition: Pick<NurtureDefinition, 'stages'>, messages: readonly CastMessage[]): StreamStats {
  const byCampaign = new Map<string, CampaignCounts>();
  for (const m of messages) {
    if (!m.step) continue;
    const counts = byCampaign.get(m.step) ?? zero();
    count(counts, m);
    byCampaign.set(m.step, counts);
  }
  const totals = zero();
  const stages = definition.stages.map((s, i) => {
    const stageTotals = zero();
    const campaigns = s.campaigns.map((c) => {
      const counts = byCampaign.get(c.id) ?? zero();
      add(stageTotals, counts);
      return { id: c.id, ...counts };
    });
    add(totals, stageTotals);
    return { stage: i + 1, name: s.name, campaigns, totals: stageTotals };
  });
  return { stages, totals };
}
