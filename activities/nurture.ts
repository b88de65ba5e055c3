import { evaluate } from '../domain/condition';
import { personFacts } from '../domain/entity-context';
import { nextCastAt } from '../domain/nurture/cadence';
import { isEmail, type Campaign, type NurtureDefinition } from '../domain/nurture/definition';
import { leaveReason } from '../domain/nurture/leave';
import { nextCampaign, type Position } from '../domain/nurture/position';
import { nurtureOrigin } from '../domain/nurture/stats';
import { journeyAdditions } from '../lib/audience-changes';
import { storedAudience } from '../lib/audiences';
import { notifySalesMessages, UnknownConnectionError } from '../lib/crm-sync';
import type { DeliveryTarget } from '../lib/deliver-events';
import { recordAndDeliver, type NewMessage } from '../lib/deliveries';
import { Account } from '../models/account';
import { EmailTemplate } from '../models/email-template';
import { NurtureEnrolment } from '../models/nurture-enrolment';
import { NurtureStream } from '../models/nurture-stream';
import { OutboundMessage } from '../models/outbound-message';
import { Person } from '../models/person';
import { leftEntrySegment } from '../lib/nurture-entry';
import { nurtureWorkflowId } from '../workflows/nurture-messages';

type StreamState = { status: 'active' | 'paused' | 'stopped'; seq: number };
export type CastPlan = { kind: 'hold' } | { kind: 'leave'; reason: string } | { kind: 'exhausted' } | { kind: 'cast'; stage: number; campaign: Campaign; position: Position };

async function streamOf(streamId: string) {
  const s = await NurtureStream.findOne({ _id: streamId }).lean();
  return s && { definition: s.definition as NurtureDefinition, state: { status: s.status, seq: s.statusSeq } as StreamState };
}

const enrolment = (streamId: string, personId: string, set: Record<string, unknown>, unset: Record<string, 1> = {}) =>
  NurtureEnrolment.updateOne({ _id: nurtureWorkflowId(streamId, personId) }, { $set: { ...set, updatedAt: new Date() }, ...(Object.keys(unset).length ? { $unset: unset } : {}) });

async function exit(streamId: string, personId: string, reason: string): Promise<void> {
  await enrolment(streamId, personId, { status: 'exited', exitReason: reason, exitedAt: new Date() }, { nextCastAt: 1, nextCampaign: 1 });
}

/** The messages of one cast, marked with the stream and the campaign for the stream's stats. */
async function castMessages(input: { streamId: string; personId: string; accountKey?: string; campaign: Campaign }): Promise<{ messages: NewMessage[]; skipped?: string }> {
  const { messages, skipped } = await campaignMessages(input);
  return { messages: messages.map((m) => ({ ...m, origin: nurtureOrigin(input.streamId), step: input.campaign.id })), ...(skipped ? { skipped } : {}) };
}

/** What a campaign sends; each id names the stream, the person and the campaign, so a retried cast records nothing twice. */
async function campaignMessages(input: { streamId: string; personId: string; accountKey?: string; campaign: Campaign }): Promise<{ messages: NewMessage[]; skipped?: string }> {
  const { streamId, personId, accountKey, campaign } = input;
  const id = `${nurtureWorkflowId(streamId, personId)}:${campaign.id}`;
  const source = { streamId, campaignId: campaign.id };
  if (isEmail(campaign)) {
    return { messages: [{ _id: id, channel: 'email', type: 'nurture', personId, accountKey, marketing: true, payload: { template: campaign.template, ...source } }] };
  }
  if (campaign.action === 'notifySales') {
    if (!accountKey) return { messages: [], skipped: 'no account to notify sales about' };
    try {
      return { messages: await notifySalesMessages(id, accountKey, campaign.params as { message: string; connection?: string }, { ...source, personId }) };
    } catch (err) {
      // A connection that does not exist will not appear by retrying: the cast is skipped, the person goes on.
      if (err instanceof UnknownConnectionError) return { messages: [], skipped: err.message };
      throw err;
    }
  }
  const audience = (campaign.params as { audience: string }).audience;
  if (!(await storedAudience(audience))) return { messages: [], skipped: `audience '${audience}' does not exist` };
  return { messages: await journeyAdditions(id, audience, [personId]) };
}

/** A hand-over before the person joined the stream was marketing's choice to nurture them again: only a later one lets them go. */
async function handedOverSinceJoining(streamId: string, personId: string, handedOverAt: Date): Promise<boolean> {
  const joined = await NurtureEnrolment.findOne({ _id: nurtureWorkflowId(streamId, personId) }, { enrolledAt: 1 }).lean();
  return !joined || joined.enrolledAt <= handedOverAt;
}

/** The next cast as the stream and the person are now; a reason to leave is recorded on the enrolment. */
async function judge(streamId: string, personId: string, after: Position | undefined): Promise<{ stream: StreamState; plan: CastPlan }> {
  const stream = await streamOf(streamId);
  if (!stream) {
    await exit(streamId, personId, 'stream deleted');
    return { stream: { status: 'stopped', seq: Number.MAX_SAFE_INTEGER }, plan: { kind: 'leave', reason: 'stream deleted' } };
  }
  if (stream.state.status !== 'active') return { stream: stream.state, plan: { kind: 'hold' } };
  const person = await Person.findOne({ _id: personId }).lean();
  const gone = !person ? 'person deleted' : person.mergedInto ? `merged into ${person.mergedInto}` : undefined;
  if (gone || !person) {
    await exit(streamId, personId, gone!);
    return { stream: stream.state, plan: { kind: 'leave', reason: gone! } };
  }
  const account = person.accountKey ? await Account.findOne({ _id: person.accountKey }).lean() : null;
  const score = person.score as { total: number; status: string } | undefined;
  const facts = personFacts(person as typeof person & { _id: string }, account, [], score);
  const context = { person: facts.person, account: facts.account };
  const def = stream.definition;
  const next = nextCampaign(def.stages, after, (s) => !!def.stages[s].advanceWhen && evaluate(def.stages[s].advanceWhen!, context));
  const topic = next && isEmail(next.campaign) ? ((await EmailTemplate.findOne({ _id: next.campaign.template }, { topic: 1 }).lean())?.topic ?? undefined) : undefined;
  const transferred = person.salesHandoverAt ? await handedOverSinceJoining(streamId, personId, person.salesHandoverAt) : false;
  const reason = leaveReason({ context, status: score?.status, consent: person.consent, topic, transferred, leftSegment: await leftEntrySegment(def, personId) }, def.exitWhen);
  if (reason) {
    await exit(streamId, personId, reason);
    return { stream: stream.state, plan: { kind: 'leave', reason } };
  }
  return { stream: stream.state, plan: next ? { kind: 'cast', ...next } : { kind: 'exhausted' } };
}

export function makeNurtureActivities(target: DeliveryTarget) {
  return {
    /**
     * What the next cast is, judged on the stream and the person as they are
     * now: hold (the stream is not active), leave (the reason is recorded),
     * exhausted (recorded; the workflow waits for new content), or the campaign.
     */
    async planNurtureCast(input: { streamId: string; personId: string; after?: Position }): Promise<{ stream: StreamState; plan: CastPlan }> {
      const { stream, plan } = await judge(input.streamId, input.personId, input.after);
      if (plan.kind === 'exhausted') await enrolment(input.streamId, input.personId, { status: 'exhausted' }, { nextCampaign: 1 });
      return { stream, plan };
    },

    /** Between casts, when something happened that may make the person leave (qualified, unsubscribed): leave now (recorded) or stay. */
    async checkNurtureLeave(input: { streamId: string; personId: string; after?: Position }): Promise<{ leave?: string }> {
      const { plan } = await judge(input.streamId, input.personId, input.after);
      return plan.kind === 'leave' ? { leave: plan.reason } : {};
    },

    /** Records the cast's messages (delivered by their lanes) and where the person now is; `messageId` is its email's, whose outcome moves the next cast. */
    async castNurtureCampaign(input: { streamId: string; personId: string; accountKey?: string; stage: number; campaign: Campaign; casts: number }): Promise<{ messageId?: string; castAt: number; skipped?: string }> {
      const { messages, skipped } = await castMessages(input);
      await recordAndDeliver(target, messages);
      const castAt = Date.now();
      await enrolment(input.streamId, input.personId, { status: 'active', stage: input.stage, lastCampaign: input.campaign.id, casts: input.casts, lastCastAt: new Date(castAt) });
      return { messageId: isEmail(input.campaign) ? messages[0]?._id : undefined, castAt, ...(skipped ? { skipped } : {}) };
    },

    /**
     * When the next cast is due: `every` after this one went out, or after the
     * moment its email was deferred to by a cap or the send window. Nothing
     * while its email is still pending or failed awaiting a retry, unless this is the last look.
     */
    async nurtureCastOutcome(input: { streamId: string; personId: string; messageId?: string; castAt: number; after: Position; final: boolean }): Promise<{ nextCastAt?: number; status?: string }> {
      let base = input.castAt;
      let status: string | undefined;
      if (input.messageId) {
        const m = await OutboundMessage.findOne({ _id: input.messageId }, { status: 1, scheduledFor: 1 }).lean();
        status = m?.status;
        // A failed email waits for its retry: the next campaign must not overtake it.
        if ((status === 'pending' || status === 'failed') && !input.final) return { status };
        if (status === 'deferred' && m?.scheduledFor) base = Math.max(base, m.scheduledFor.getTime());
      }
      const [stream, person] = await Promise.all([streamOf(input.streamId), Person.findOne({ _id: input.personId }, { attributes: 1 }).lean()]);
      if (!stream) return { nextCastAt: base, status };
      const at = nextCastAt(base, stream.definition.cadence, (person?.attributes as Record<string, unknown> | undefined)?.timeZone);
      const upcoming = nextCampaign(stream.definition.stages, input.after)?.campaign.id;
      await enrolment(input.streamId, input.personId, { nextCastAt: new Date(at), ...(upcoming ? { nextCampaign: upcoming } : {}) }, upcoming ? {} : { nextCampaign: 1 });
      return { nextCastAt: at, status };
    },

    /** A person leaves for a reason the workflow knows (the stream stopped). */
    async leaveNurture(input: { streamId: string; personId: string; reason: string }): Promise<void> {
      await exit(input.streamId, input.personId, input.reason);
    },
  };
}
