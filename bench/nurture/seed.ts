// The scenario's data: people with emails in accounts of 100, written straight
// into the database by bench/email/seed.ts (same shape as PUT /v1/accounts and
// PUT /v1/people write; 100,000 PUTs would be the bench), and, through the API,
// a marketing template, its topic and the two streams: one that casts every few
// seconds, one whose people sleep for most of a day.
import { generateAccounts, seed } from '../email/seed';
import { expectStatus } from '../scenario';
import type { BenchStack } from '../stack';

export const PREFIX = 'nurb';
export const PEOPLE_PER_ACCOUNT = 100;
export const TOPIC = 'bench-nurture';
export const TEMPLATE = 'bench-nurture-email';
/** The casting stream's cadence: every person is due again this long after their last cast went out. */
export const CAST_EVERY = 'PT10S';
const CAST_EVERY_MS = 10000;
/** Stages × campaigns of the casting stream: more casts a person than the window can reach, so nobody is exhausted. */
const STAGES = 3;
const CAMPAIGNS_PER_STAGE = 5;

export const generate = (people: number) => generateAccounts(PREFIX, people, { local: 'reader', first: 'Nia', last: 'Reader' });

export { seed };

/** A nurture email of a few kilobytes with the usual merge fields (HTML only: the text part is derived). */
const TEMPLATE_SOURCE = {
  subject: '{{ person.firstName | default: "Hello" }}, one more idea for {{ account.name }}',
  html: [
    '<html><body style="font-family:Arial,sans-serif;color:#222">',
    '<h1>Hi {{ person.firstName | default: "there" }},</h1>',
    '<p>As {{ person.jobTitle | default: "a leader" }} at {{ account.name }} ({{ account.employees }} people), here is the next part of the series you signed up for.</p>',
    ...Array.from({ length: 6 }, (_, i) => `<h2>Part ${i + 1}</h2><p>What a team of {{ account.employees }} changed in week ${i + 1} of their migration, what it cost and what they measured afterwards. The whole write-up is on our site.</p><p><a href="https://example.com/series/${i + 1}?a={{ account.domain | url_encode }}">Read part ${i + 1}</a></p>`),
    '<p>Best regards,<br>The Example team</p>',
    '<p style="font-size:11px;color:#888">You get this because you subscribed to our series. <a href="{{ unsubscribe_url }}">Unsubscribe</a>.</p>',
    '</body></html>',
  ].join('\n'),
};

export async function putTemplate(stack: BenchStack): Promise<void> {
  expectStatus(await stack.api('PUT', `/v1/subscription-topics/${TOPIC}`, { name: 'Bench series' }), [200, 201], 'PUT /v1/subscription-topics');
  expectStatus(await stack.api('PUT', `/v1/email-templates/${TEMPLATE}`, { name: 'Bench nurture email', kind: 'marketing', topic: TOPIC, ...TEMPLATE_SOURCE }), [200, 201], 'PUT /v1/email-templates');
}

const stages = () =>
  Array.from({ length: STAGES }, (_, s) => ({ name: `Stage ${s + 1}`, campaigns: Array.from({ length: CAMPAIGNS_PER_STAGE }, (_, c) => ({ id: `S${s + 1}C${c + 1}`, template: TEMPLATE })) }));

async function activeStream(stack: BenchStack, name: string, cadence: Record<string, unknown>): Promise<string> {
  const created = await stack.api('POST', '/v1/nurture-streams', { name, stages: stages(), cadence });
  expectStatus(created, [201], 'POST /v1/nurture-streams');
  const id = created.body.id as string;
  expectStatus(await stack.api('POST', `/v1/nurture-streams/${id}/activate`), [200], `POST /v1/nurture-streams/${id}/activate`);
  return id;
}

/** Casts every CAST_EVERY: the first at once on enrolment. */
export const castingStream = (stack: BenchStack, runTag: string) => activeStream(stack, `Bench casting ${runTag}`, { every: CAST_EVERY });

/** Its casts demanded per minute with `people` enrolled, were each cast to go out at once (the cadence counts from the last one's send). */
export const castsDuePerMinute = (people: number) => Math.round((people * 60000) / CAST_EVERY_MS);

/**
 * Casts once a day at a time of day two hours ago (UTC): the first cast is
 * about 22 hours after enrolment, so everyone enrolled sleeps through the run.
 */
export function sleepingStream(stack: BenchStack, runTag: string): Promise<string> {
  const twoHoursAgo = new Date(Date.now() - 2 * 3600000);
  const at = `${String(twoHoursAgo.getUTCHours()).padStart(2, '0')}:${String(twoHoursAgo.getUTCMinutes()).padStart(2, '0')}`;
  return activeStream(stack, `Bench sleeping ${runTag}`, { every: 'P1D', at, timeZone: 'UTC' });
}
