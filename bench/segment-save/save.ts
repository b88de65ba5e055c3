// One timed save: POST /v1/segments, then GET /v1/segments/:id polled until
// its member count is the expected one and its evaluation of everyone has
// completed (each timed on its own: members are listed by the save, the
// evaluation of everyone follows), then its recorded entries counted.
import { SegmentChange } from '../../models/segment-membership';
import { expectStatus, ScenarioContext, waitFor } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond } from '../stats';
import { processLoad } from '../load';

const POLL_MS = 500;

export interface SaveInput {
  name: string;
  level: 'person' | 'account';
  definition: unknown;
  expected: number;
  /** Accounts and people the evaluation covers: what the rates are per. */
  accounts: number;
  people: number;
}

/** `saved` receives the segment's id as soon as it exists, for the clean-up. */
export async function timedSave(stack: BenchStack, input: SaveInput, saved: string[], maxMs: number, log: ScenarioContext['log']) {
  const load = processLoad(stack.config.DATA_DIR);
  const start = Date.now();
  const post = await stack.api('POST', '/v1/segments', { name: input.name, level: input.level, definition: input.definition });
  const postMs = Date.now() - start;
  expectStatus(post, [201], 'POST /v1/segments');
  const id = post.body.id as string;
  saved.push(id);
  let membersMs: number | null = null;
  let lastLogged = 0;
  let last: { members: number; evaluation: { status?: string; evaluated?: number; total?: number } | null } = { members: 0, evaluation: null };
  const completed = await waitFor(
    async () => {
      const res = await stack.api('GET', `/v1/segments/${id}`);
      expectStatus(res, [200], `GET /v1/segments/${id}`);
      last = { members: res.body.members, evaluation: res.body.evaluation ?? null };
      if (membersMs === null && last.members === input.expected) membersMs = Date.now() - start;
      if (Date.now() - lastLogged > 10000) {
        lastLogged = Date.now();
        log(`segment-save: ${input.name}: ${last.members}/${input.expected} members, evaluated ${last.evaluation?.evaluated ?? '-'}/${last.evaluation?.total ?? '-'} after ${((Date.now() - start) / 1000).toFixed(1)} s`);
      }
      return membersMs !== null && last.evaluation?.status === 'completed' ? Date.now() - start : undefined;
    },
    maxMs,
    POLL_MS,
  );
  const figures = {
    segmentId: id,
    level: input.level,
    expectedMembers: input.expected,
    members: last.members,
    postMs,
    /** From the POST until GET /v1/segments/:id counted every expected member (poll every POLL_MS). */
    allMembersShownMs: membersMs,
    /** Until its evaluation reported completed: everyone carries the new revision. */
    evaluationCompletedMs: completed ?? null,
    evaluation: last.evaluation,
    /** Entries the evaluation recorded (journeys and streams hear of these): one per member. */
    entriesRecorded: await SegmentChange.countDocuments({ segmentId: id, change: 'entered' }),
    accountsPerSecond: completed ? ratePerSecond(input.accounts, completed) : null,
    peoplePerSecond: completed ? ratePerSecond(input.people, completed) : null,
    pollResolutionMs: POLL_MS,
    benchProcess: load(),
  };
  log(`segment-save: ${input.name}: members shown after ${membersMs ?? '-'} ms, evaluation completed after ${completed ?? '-'} ms (${figures.accountsPerSecond ?? '-'} accounts/s)`);
  return figures;
}
