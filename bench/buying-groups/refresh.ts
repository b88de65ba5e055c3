// (1) Refresh: the role template is saved, POST /v1/buying-groups for every
// account; timed until every group has been evaluated (a count polled every
// second, plus each group's evaluatedAt: new groups are inserted evaluated by
// the request), then until every account's workflow has evaluated its group
// again in the background (drain.ts); each group's completeness checked
// against the in-memory assignment.
import { op } from '../../lib/query';
import { BuyingGroup } from '../../models/buying-group';
import { processLoad } from '../load';
import { expectStatus, ScenarioContext, waitFor, waitForProgress, within } from '../scenario';
import type { BenchStack } from '../stack';
import { ratePerSecond, summarize } from '../stats';
import { queuesQuietAfter } from './drain';
import { INTEREST, SeedAccount, TEMPLATE, TEMPLATE_KEY } from './seed';

/** No progress for this long means the engine is stuck, not slow. */
export const STALL_MS = 120000;
const EVALUATED_POLL_MS = 1000;
const JOB_POLL_MS = 250;

export async function refreshAll(stack: BenchStack, accounts: SeedAccount[], expected: Map<string, number>, completenessSpread: Record<string, number>, log: ScenarioContext['log']) {
  const accountCount = accounts.length;
  const put = await stack.api('PUT', `/v1/role-templates/${TEMPLATE_KEY}`, TEMPLATE);
  expectStatus(put, [200, 201], `PUT /v1/role-templates/${TEMPLATE_KEY}`);
  const load = processLoad(stack.config.DATA_DIR);
  const refreshStart = Date.now();
  const post = await stack.api('POST', '/v1/buying-groups', { solutionInterest: INTEREST, roleTemplate: TEMPLATE_KEY, accountKeys: accounts.map((a) => a.key) });
  const postMs = Date.now() - refreshStart;
  expectStatus(post, [202], 'POST /v1/buying-groups');
  const jobId = post.body.jobId as string;
  log(`buying-groups: set-up ${jobId} started (POST ${postMs} ms); polling the job and the evaluated groups`);

  let job: { status: string; result: unknown; ms: number } | undefined;
  const jobWatch = waitFor(
    async () => {
      const res = await stack.api('GET', `/v1/buying-groups/jobs/${jobId}`);
      return res.status === 200 && res.body.status !== 'running' ? { status: res.body.status as string, result: res.body.result, ms: Date.now() - refreshStart } : undefined;
    },
    600000,
    JOB_POLL_MS,
  ).then((j) => (job = j));
  let lastCount = 0;
  const evaluated = await waitForProgress(
    async () => {
      const n = await BuyingGroup.countDocuments({ templateKey: TEMPLATE_KEY, evaluatedAt: op({ $exists: true }) });
      if (Math.floor(n / 100) > Math.floor(lastCount / 100)) log(`buying-groups: ${n}/${accountCount} groups evaluated after ${((Date.now() - refreshStart) / 1000).toFixed(1)} s`);
      lastCount = n;
      return n;
    },
    (n) => n >= accountCount,
    { stallMs: STALL_MS, maxMs: 600000 + accountCount * 200, everyMs: EVALUATED_POLL_MS },
  );
  const allEvaluatedMs = Date.now() - refreshStart;
  await jobWatch;
  const reEvaluatedMs = job?.status === 'completed' ? await queuesQuietAfter(stack, refreshStart, 600000 + accountCount * 200) : null;
  const benchProcess = load();
  if (!evaluated.done) log(`buying-groups: only ${evaluated.value} of ${accountCount} groups evaluated after ${(allEvaluatedMs / 1000).toFixed(0)} s; measuring the lag anyway`);

  // Each group's own evaluation time, and its completeness checked against the in-memory assignment.
  const groups = await within(BuyingGroup.find({ templateKey: TEMPLATE_KEY }, { completeness: 1, evaluatedAt: 1 }).lean(), 120000, 'reading the groups');
  const evaluatedAfter = groups.filter((g) => g.evaluatedAt).map((g) => g.evaluatedAt!.getTime() - refreshStart);
  const actual = new Map(groups.map((g) => [g._id, g.completeness]));
  const mismatched = accounts.filter((a) => actual.get(a.groupId) !== expected.get(a.groupId));
  if (mismatched.length) log(`buying-groups: ${mismatched.length} groups differ from the in-memory assignment, e.g. ${mismatched[0].groupId}: ${actual.get(mismatched[0].groupId)} vs ${expected.get(mismatched[0].groupId)}`);
  const figures = {
    accounts: accountCount,
    postMs,
    setUpJobMs: job?.ms ?? null,
    setUpJobStatus: job?.status ?? 'unknown (no answer in time)',
    setUpJobResult: job?.result ?? null,
    allEvaluatedMs: evaluated.done ? allEvaluatedMs : null,
    allEvaluatedResolutionMs: EVALUATED_POLL_MS,
    accountsPerSecond: evaluated.done ? ratePerSecond(accountCount, allEvaluatedMs) : null,
    /** The set-up job done and the queues empty: every account's workflow has evaluated its group again (approximate, see drain.ts). */
    reEvaluatedByWorkflowsMs: reEvaluatedMs,
    reEvaluatedAccountsPerSecond: reEvaluatedMs ? ratePerSecond(accountCount, reEvaluatedMs) : null,
    groupsEvaluated: evaluated.value,
    /** evaluatedAt of each group (when its account's activity started) after the POST. */
    groupEvaluatedAfterMs: summarize(evaluatedAfter),
    completenessMatchesInMemory: accountCount - mismatched.length,
    completenessSpread,
    benchProcess,
  };
  log(`buying-groups: refresh of ${accountCount} accounts: all evaluated after ${allEvaluatedMs} ms (${figures.accountsPerSecond ?? '-'} accounts/s), job ${figures.setUpJobStatus} after ${figures.setUpJobMs ?? '-'} ms, evaluated again by every workflow after ${reEvaluatedMs ?? '-'} ms`);
  /** The groups as the refresh left them: the lag phase starts from these. */
  return { figures, actual };
}
