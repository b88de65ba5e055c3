import { Person } from '../models/person';
import { ScoreEvent } from '../models/score-event';
import { entityStateQuery, refreshSignal } from '../workflows/account-messages';
import { rescoreWorkflowId } from '../workflows/rescore';
import { event } from './support/events';
import { eventually, Harness, startHarness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const seedModel = {
  fit: [
    { id: 'big-company', when: { field: 'account.employees', op: 'gt', value: 1000 }, points: 20 },
    { id: 'funded-d-plus', when: { field: 'account.fundingRound', op: 'gte', value: 'D' }, points: 30 },
  ],
  behavior: [
    { id: 'two-opens', event: 'email_open', where: { field: 'event.properties.subject', op: 'contains', value: 'Product A' }, minCount: 2, within: 'P3M', points: 10 },
    { id: 'site-visit', event: 'web_visit', within: 'P6M', points: 20 },
  ],
  qualifyAt: 60,
  discard: { below: 10, after: 'P90D' },
};

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const DAY = 86_400_000;

async function scoreOf(personId: string, expected: (s: any) => boolean, what: string) {
  return eventually(
    async () => {
      const res = await h.api('GET', `/v1/people/${personId}/score`);
      return res.status === 200 && expected(res.body) ? res.body : undefined;
    },
    { what, timeoutMs: 30000 },
  );
}

describe('the seed scoring model', () => {
  let version: number;

  test('saving the model answers its version; an unreachable threshold is allowed with a warning', async () => {
    const saved = await h.api('PUT', '/v1/scoring-model', seedModel);
    expect(saved.status).toBe(200);
    expect(saved.body.warnings).toEqual([]);
    version = saved.body.version;
    const unreachable = await h.api('PUT', '/v1/scoring-model', { ...seedModel, qualifyAt: 500 });
    expect(unreachable.body.warnings[0]).toMatch(/highest reachable score is 80/);
    expect((await h.api('PUT', '/v1/scoring-model', seedModel)).status).toBe(200);
  });

  test('a person at a big, series-D company who opened two Product A mails and visited the site scores 80 and is qualified', async () => {
    await h.api('PUT', '/v1/accounts/acme', { name: 'Acme Corp', domain: 'acme.example', employees: 5000, fundingRound: 'Series D' });
    const { personId } = (await h.api('PUT', '/v1/people/ann@acme.example', { firstName: 'Ann', accountKey: 'acme' })).body;
    const events = [
      event({ type: 'email_open', occurredAt: ago(20 * DAY), person: { email: 'ann@acme.example' }, properties: { subject: 'Meet Product A' } }),
      event({ type: 'email_open', occurredAt: ago(10 * DAY), person: { email: 'ann@acme.example' }, properties: { subject: 'Product A pricing' } }),
      event({ type: 'web_visit', occurredAt: ago(2 * DAY), person: { email: 'ann@acme.example' }, properties: { url: '/pricing', product: 'Product A' } }),
    ];
    expect((await h.api('POST', '/v1/events', { events })).body.accepted).toBe(3);
    const score = await scoreOf(personId, (s) => s.total === 80, 'Ann to score 80');
    expect(score).toMatchObject({ total: 80, fit: 50, behavior: 30, status: 'qualified' });
    expect(score.breakdown.map((b: { ruleId: string; points: number }) => [b.ruleId, b.points])).toEqual([
      ['big-company', 20],
      ['funded-d-plus', 30],
      ['two-opens', 10],
      ['site-visit', 20],
    ]);
    const opens = score.breakdown.find((b: { ruleId: string }) => b.ruleId === 'two-opens');
    expect(opens.reason).toBe("2× email_open with subject contains 'Product A' within 90 days");
    expect(opens.eventIds).toEqual([events[0].eventId, events[1].eventId]);
    expect(await ScoreEvent.findOne({ personId, type: 'score.qualified' }).lean()).toMatchObject({ from: 'nurture', to: 'qualified', total: 80 });

    // Replaying the same events changes nothing.
    expect((await h.api('POST', '/v1/events', { events })).body).toMatchObject({ accepted: 0, duplicates: 3 });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await h.api('GET', `/v1/people/${personId}/score`)).body.total).toBe(80);

    const account = (await h.api('GET', '/v1/accounts/acme')).body;
    expect(account.score).toMatchObject({ fit: 50, engagementPoints: 30, total: 80 });
    expect(account.recentlyActiveContacts).toEqual([{ personId, lastInboundAt: events[2].occurredAt }]);
    expect(account.topInterests).toEqual([{ interest: 'Product A', count: 1 }]);
    expect(account.engagement.contacts).toEqual([{ personId, engagement: 100 }]);
  });

  test('a changed model re-scores everyone in the background with observable progress', async () => {
    const harsher = { ...seedModel, fit: seedModel.fit.map((r) => ({ ...r, points: r.points / 2 })) };
    const saved = await h.api('PUT', '/v1/scoring-model', harsher);
    expect(saved.body.version).toBeGreaterThan(version);
    const done = await eventually(
      async () => {
        const res = await h.api('GET', '/v1/scoring-model');
        return res.body.recompute?.status === 'completed' ? res.body.recompute : undefined;
      },
      { what: 'the re-score to complete', timeoutMs: 30000 },
    );
    expect(done).toMatchObject({ version: saved.body.version, done: done.total });
    expect(done.total).toBeGreaterThanOrEqual(1);
    const ann = (await h.api('PUT', '/v1/people/ann@acme.example', {})).body.personId;
    const score = await scoreOf(ann, (s) => s.modelVersion === saved.body.version, 'Ann re-scored');
    expect(score).toMatchObject({ total: 55, fit: 25, status: 'nurture' });
    await h.api('PUT', '/v1/scoring-model', seedModel);
  });

  test('saving a newer model ends the running re-score as superseded; the newer one completes', async () => {
    // With no worker, neither re-score gets going before both models are saved.
    await h.stopWorker();
    const older = (await h.api('PUT', '/v1/scoring-model', { ...seedModel, qualifyAt: 70 })).body.version;
    const newer = (await h.api('PUT', '/v1/scoring-model', seedModel)).body.version;
    await h.startWorker();
    const ended = await h.client.workflow.getHandle(rescoreWorkflowId(h.config.TASK_QUEUE, older)).result();
    expect(ended).toMatchObject({ version: older, status: 'superseded', finishedAt: expect.any(String) });
    const current = await eventually(
      async () => {
        const res = await h.api('GET', '/v1/scoring-model');
        return res.body.recompute?.status === 'completed' ? res.body.recompute : undefined;
      },
      { what: 'the newer re-score to complete', timeoutMs: 30000 },
    );
    expect(current).toMatchObject({ version: newer, done: current.total });
  });
});

test('a refresh that changes nothing writes nothing', async () => {
  await h.api('PUT', '/v1/accounts/quiet', { name: 'Quiet Ltd', domain: 'quiet.example', employees: 5000 });
  const { personId } = (await h.api('PUT', '/v1/people/qin@quiet.example', { accountKey: 'quiet' })).body;
  await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', occurredAt: ago(DAY), person: { email: 'qin@quiet.example' } })] });
  await scoreOf(personId, (s) => s.behavior === 20, 'Qin to be scored');
  await new Promise((r) => setTimeout(r, 500));
  const before = await Person.findOne({ _id: personId }, { updatedAt: 1 }).lean();
  const handle = h.client.workflow.getHandle('account:quiet');
  const applied = (await handle.query(entityStateQuery)).batchesApplied;
  await handle.signal(refreshSignal, { reason: 'test' });
  await eventually(async () => ((await handle.query(entityStateQuery)).batchesApplied > applied ? true : undefined), { what: 'the refresh' });
  expect((await Person.findOne({ _id: personId }, { updatedAt: 1 }).lean())?.updatedAt).toEqual(before?.updatedAt);
});

describe('scores follow time', () => {
  test('a visit that leaves its 3-second window drops the score without any new event', async () => {
    await h.api('PUT', '/v1/scoring-model', {
      fit: [],
      behavior: [{ id: 'fresh-visit', event: 'web_visit', within: 'PT3S', points: 20 }],
      qualifyAt: 60,
    });
    await h.api('PUT', '/v1/accounts/flash', { name: 'Flash Ltd' });
    const { personId } = (await h.api('PUT', '/v1/people/barry@flash.example', { accountKey: 'flash' })).body;
    await h.api('POST', '/v1/events', { events: [event({ type: 'web_visit', occurredAt: new Date().toISOString(), person: { email: 'barry@flash.example' } })] });
    await scoreOf(personId, (s) => s.total === 20, 'the visit to count');
    const dropped = await scoreOf(personId, (s) => s.total === 0, 'the visit to leave its window');
    expect(dropped.breakdown).toEqual([]);
    await h.api('PUT', '/v1/scoring-model', seedModel);
  });
});

describe('bad scoring models', () => {
  test.each([
    [{ ...seedModel, fit: [{ id: 'x', when: { field: 'person.shoeSize', op: 'gt', value: 40 }, points: 5 }] }, 'fit.0.when.field'],
    [{ ...seedModel, fit: [{ id: 'x', when: { field: 'account.employees', op: 'between', value: 1 }, points: 5 }] }, 'fit.0.when.op'],
    [{ ...seedModel, behavior: [{ id: 'x', event: 'email_open', within: 'three months', points: 5 }] }, 'behavior.0.within'],
    [{ ...seedModel, behavior: [{ id: 'x', event: 'email_open', within: 'P3M', points: 5000 }] }, 'behavior.0.points'],
    [{ ...seedModel, fit: [{ id: 'x', when: { field: 'account.name', op: 'eq', value: { $gt: '' } }, points: 5 }] }, 'fit.0.when.value'],
    [{ ...seedModel, fit: [...seedModel.fit, { ...seedModel.fit[0] }] }, 'fit.2.id'],
    [{ ...seedModel, bonus: 5 }, ''],
  ])('model %# is refused with the path of the problem', async (model, path) => {
    const res = await h.api('PUT', '/v1/scoring-model', model);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });
});
