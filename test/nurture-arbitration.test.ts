import { nextSendTime } from '../domain/email/send-window';
import { reserveMarketingSend } from '../lib/marketing-ledger';
import { eventually, Harness, startHarness } from './support/harness';
import { mailDev } from './support/maildev';

let h: Harness;
const inbox = mailDev();

beforeAll(async () => {
  h = await startHarness();
  await inbox.deleteAll();
  await h.api('PUT', '/v1/subscription-topics/erp', { name: 'Cloud ERP' });
  for (const id of ['a1', 'a2', 'b1', 'b2']) await h.api('PUT', `/v1/email-templates/arb-${id}`, { name: id, kind: 'marketing', topic: 'erp', subject: `${id} for {{ person.firstName }}`, html: `<p>${id}</p>` });
});
afterAll(() => h?.close());

type Message = { id: string; status: string; scheduledFor?: string; sentAt?: string; reason?: string; payload: { streamId: string; campaignId: string } };

async function activeStream(name: string, prefix: string): Promise<string> {
  const stages = [{ name: 'Intro', campaigns: ['1', '2'].map((n) => ({ id: `${prefix}${n}`, template: `arb-${prefix}${n}` })) }];
  const id = (await h.api('POST', '/v1/nurture-streams', { name, cadence: { every: 'PT1S' }, stages })).body.id;
  await h.api('POST', `/v1/nurture-streams/${id}/activate`);
  return id;
}

test('a person on two streams due at the same moment, with a cap of one email a day: one email arrives, and the other stream defers its cast to when the cap allows and moves the next cast after it', async () => {
  expect((await h.api('PUT', '/v1/settings/email', { maxPerDay: 1 })).status).toBe(200);
  await h.api('PUT', '/v1/people/dee@arbitration.example', { firstName: 'Dee' });
  const dee = (await h.api('POST', '/v1/identify', { person: { email: 'dee@arbitration.example' } })).body.personId;
  const streams = [await activeStream('Stream A', 'a'), await activeStream('Stream B', 'b')];
  // Both enrolments at once: both first casts are due now.
  await Promise.all(streams.map((s) => h.api('POST', `/v1/nurture-streams/${s}/enroll`, { personIds: [dee] })));

  const firstCasts = async () => {
    const items = (await h.api('GET', `/v1/outbound-messages?personId=${dee}`)).body.items as Message[];
    const firsts = items.filter((m) => m.payload.campaignId.endsWith('1'));
    return firsts.length === 2 && firsts.every((m) => m.status !== 'pending') ? firsts : undefined;
  };
  const [one, other] = await eventually(firstCasts, { what: "both streams' first casts settled" });
  const sent = [one, other].find((m) => m.status === 'sent')!;
  const deferred = [one, other].find((m) => m !== sent)!;
  expect(sent).toBeDefined();
  expect(deferred).toMatchObject({ status: 'deferred', reason: 'over 1 per day' });
  // A day after the email that went (counted from when its batch decided it, a moment before its sentAt).
  expect(Math.abs(Date.parse(deferred.scheduledFor!) - (Date.parse(sent.sentAt!) + 86_400_000))).toBeLessThan(5000);

  // The deferred stream's next cast counts from when its email will go.
  const deferredStream = deferred.payload.streamId;
  const enrolment = await eventually(async () => {
    const e = ((await h.api('GET', `/v1/nurture-streams/${deferredStream}/enrollments`)).body.items as { nextCastAt: string | null; [k: string]: unknown }[])[0];
    return e?.nextCastAt && Date.parse(e.nextCastAt) > Date.parse(deferred.scheduledFor!) ? e : undefined;
  }, { what: 'the deferred stream to move Dee\'s next cast' });
  expect(enrolment).toMatchObject({ status: 'active', lastCampaign: deferred.payload.campaignId, nextCampaign: deferred.payload.campaignId.replace('1', '2') });
  expect(Date.parse(enrolment.nextCastAt!)).toBe(Date.parse(deferred.scheduledFor!) + 1000);

  // Seconds later still one email, and nothing dropped: every cast that did not go is deferred.
  await new Promise((r) => setTimeout(r, 4000));
  const mails = (await inbox.list()).filter((m) => m.to.some((t) => t.address === 'dee@arbitration.example'));
  expect(mails).toHaveLength(1);
  const all = (await h.api('GET', `/v1/outbound-messages?personId=${dee}`)).body.items as Message[];
  expect(all.filter((m) => m.status === 'sent')).toHaveLength(1);
  // (A cast recorded a moment ago may still be pending its batch: waiting too, not dropped.)
  expect(all.filter((m) => m.status !== 'sent').map((m) => m.status).filter((s) => s !== 'deferred' && s !== 'pending')).toEqual([]);
  // The deferred stream's stats show the cast as deferred and waiting, never as dropped.
  const stats = (await h.api('GET', `/v1/nurture-streams/${deferredStream}/stats`)).body;
  expect(stats.stages[0].campaigns[0]).toMatchObject({ id: deferred.payload.campaignId, cast: 1, deferred: 1, waiting: 1, sent: 0, suppressed: 0 });
}, 120_000);

test('two email batches deciding at the same moment on mail to the same person, with a cap of one a day: one takes the day, every other is deferred', async () => {
  const now = Date.now();
  const decide = (sentAt: number[]) => nextSendTime(now, sentAt, { maxPerDay: 1 });
  // Batches read nothing sent yet, as when they start side by side.
  const outcomes = await Promise.all(['s1', 's2', 's3', 's4'].map((m) => reserveMarketingSend('p_race', `nurture:${m}:p_race:c1`, now, [], decide)));
  expect(outcomes.filter((o) => !o.deferredTo)).toHaveLength(1);
  expect(outcomes.filter((o) => o.deferredTo).map((o) => o.deferredTo!.at)).toEqual([now + 86_400_000, now + 86_400_000, now + 86_400_000]);
});
