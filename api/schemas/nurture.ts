import type { NurtureEnrolmentDoc } from '../../models/nurture-enrolment';
import type { StreamDoc } from '../../lib/nurture-store';
import { z } from '../zod';

/** As API.md names them: `paused` is shown for everyone still on a paused stream. */
export const SHOWN_STATUSES = ['active', 'paused', 'exhausted', 'exited'] as const;
export const EnrolmentView = z
  .object({
    personId: z.string(),
    status: z.enum(SHOWN_STATUSES),
    exitReason: z.string().optional(),
    stage: z.number().nullable().openapi({ description: "1-based stage of the person's last cast; null before the first" }),
    stageName: z.string().nullable(),
    lastCampaign: z.string().nullable(),
    nextCampaign: z.string().nullable().openapi({ description: 'the next campaign in order (a stage whose advanceWhen holds is skipped at the cast)' }),
    nextCastAt: z.string().nullable(),
    casts: z.number(),
    enrolledAt: z.string(),
  })
  .openapi('NurtureEnrolment');

const Counts = z
  .object({ cast: z.number(), waiting: z.number(), sent: z.number(), suppressed: z.number(), deferred: z.number(), failed: z.number(), clicked: z.number() })
  .openapi('NurtureCampaignCounts');
export const StreamStatsView = z
  .object({
    streamId: z.string(),
    stages: z.array(z.object({ stage: z.number(), name: z.string(), campaigns: z.array(Counts.extend({ id: z.string() })), totals: Counts })),
    totals: Counts,
  })
  .openapi('NurtureStreamStats');

/** An enrolment as the API shows it: 1-based stages, and everyone still on a paused stream shown paused. */
export function enrolmentView(stream: StreamDoc, e: NurtureEnrolmentDoc) {
  const held = stream.status === 'paused' && e.status !== 'exited';
  return {
    personId: e.personId,
    status: held ? 'paused' : e.status,
    ...(e.exitReason ? { exitReason: e.exitReason } : {}),
    stage: e.stage === undefined || e.stage === null ? null : e.stage + 1,
    stageName: e.stage === undefined || e.stage === null ? null : (stream.definition.stages[e.stage]?.name ?? null),
    lastCampaign: e.lastCampaign ?? null,
    nextCampaign: e.status === 'exited' ? null : (e.nextCampaign ?? null),
    nextCastAt: e.status === 'active' && e.nextCastAt ? e.nextCastAt.toISOString() : null,
    casts: e.casts ?? 0,
    enrolledAt: e.enrolledAt.toISOString(),
  };
}


/** A stream a person is or was on, as their profile lists it. */
export const ProfileNurtureStream = EnrolmentView.omit({ personId: true }).extend({ streamId: z.string(), name: z.string() }).openapi('ProfileNurtureStream');
