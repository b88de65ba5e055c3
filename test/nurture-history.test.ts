import { eventually, Harness, startHarness } from './support/harness';
import { mailDev } from './support/maildev';

let h: Harness;
const inbox = mailDev();
const IDS = ['H1', 'H2', 'H3', 'H4', 'H5', 'H6'];

beforeAll(async () => {
  // Workflows continue as new after 50 history events: a person's run holds about two casts.
  h = await startHarness({ ACCOUNT_HISTORY_LIMIT: '50' });
  await h.api('PUT', '/v1/subscription-topics/ops', { name: 'Operations' });
  for (const id of IDS) await h.api('PUT', `/v1/email-templates/history-${id.toLowerCase()}`, { name: id, kind: 'marketing', topic: 'ops', subject: id, html: `<p>${id}</p>` });
});
afterAll(() => h?.close());

test("a person's workflow continues as new before its history grows; the casts go on in order, each once, and the Temporal UI finds every run by stream", async () => {
  await h.api('PUT', '/v1/people/hana@history.example', { firstName: 'Hana' });
  const hana = (await h.api('POST', '/v1/identify', { person: { email: 'hana@history.example' } })).body.personId;
  const stages = [0, 1, 2].map((s) => ({ name: `Stage ${s + 1}`, campaigns: IDS.slice(s * 2, s * 2 + 2).map((id) => ({ id, template: `history-${id.toLowerCase()}` })) }));
  const stream = (await h.api('POST', '/v1/nurture-streams', { name: 'Long-lived', cadence: { every: 'PT1S' }, stages })).body.id;
  await h.api('POST', `/v1/nurture-streams/${stream}/activate`);
  await h.api('POST', `/v1/nurture-streams/${stream}/enroll`, { personIds: [hana] });

  const subjects = async () => (await inbox.list()).filter((m) => m.to.some((t) => t.address === 'hana@history.example')).map((m) => m.subject);
  await eventually(async () => ((await subjects()).length >= 6 ? true : undefined), { what: 'six emails to Hana', timeoutMs: 90_000 });
  await eventually(async () => ((await h.api('GET', `/v1/nurture-streams/${stream}/enrollments?status=exhausted`)).body.items.length === 1 ? true : undefined), { what: 'Hana exhausted' });
  expect(await subjects()).toEqual(IDS);

  const runs = await eventually(async () => {
    const found = [];
    for await (const run of h.client.workflow.list({ query: `NurtureStreamId = "${stream}"` })) found.push(run);
    return found.length >= 3 ? found : undefined;
  }, { what: 'the runs of Hana\'s workflow' });
  expect(new Set(runs.map((r) => r.workflowId))).toEqual(new Set([`nurture:${stream}:${hana}`]));
  expect(runs.filter((r) => r.status.name === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(2);
}, 150_000);
