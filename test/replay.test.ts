import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { testServers } from './support/servers';

/**
 * Histories recorded from earlier versions of the workflows (scripts/record-history.ts).
 * A code change that would make a running instance diverge fails here, before it ships.
 */
const fixtures = [
  { file: 'account-workflow-v1.json', workflowId: 'account:replay-fixture', story: 'three batches for an account and a re-sent duplicate' },
  { file: 'journey-workflow-v1.json', workflowId: 'journey:replay-fixture:acme', story: 'a wait, a whitepaper download, a split, an action, a pause and a resume' },
  { file: 'rescore-workflow-v1.json', workflowId: 'rescore:replay-fixture:model-v1', story: 'a re-score of 60 people that completed' },
  { file: 'rescore-workflow-superseded-v1.json', workflowId: 'rescore:replay-fixture:model-v2', story: 'a re-score still polling after a newer model was saved' },
  // Recorded from the code of b19fbe2, before refreshes moved to the background queue.
  { file: 'account-workflow-refresh-and-events.json', workflowId: 'account:umbrella', story: 'a refresh asked for while events arrive, a time-driven re-score, another refresh and a visit' },
  // Recorded from the code of 745e070, before applies heartbeated.
  { file: 'account-workflow-live-events-first.json', workflowId: 'account:initech', story: 'a visit, a refresh done in the background, a refresh withdrawn for a visit that came first, two refreshes and two visits' },
  // Recorded from the code of 4633377, before the journey hardening.
  { file: 'account-workflow-time-rescore.json', workflowId: 'account:wayne', story: 'a visit scored, then re-scored when it left its 3 s window' },
  // Recorded from the code of 399842e, before refresh requests carried the definitions they need.
  { file: 'account-workflow-before-refresh-needs.json', workflowId: 'account:hooli', story: 'a person added, a visit, two model changes, a segment saved, a person changed and two more events' },
  // Recorded from the code of e0beed2, before batches of events were applied by a local activity.
  { file: 'account-workflow-before-local-apply.json', workflowId: 'account:acme', story: 'three batches of two people, a person changed, a model change and a batch with a re-sent event, before batches were applied locally' },
  // Recorded from the code of b69e568 (the workflow code of 7d0ac5c), before a withdrawn refresh that fails counted as withdrawn.
  { file: 'person-workflow-refresh-and-events.json', workflowId: 'person:p_PQmCIlTKU_H7dbkM', story: 'an anonymous visitor: a visit, a refresh in the background after a model change, a visit, another refresh, a visit' },
  { file: 'journey-workflow-stop.json', workflowId: 'journey:stop:acme', story: 'a long wait ended by a stop' },
  { file: 'journey-workflow-exit-rule-event.json', workflowId: 'journey:exit-event:globex', story: 'an exit rule on an event met during a wait for another event' },
  { file: 'journey-workflow-exit-rule-attribute.json', workflowId: 'journey:exit-attribute:initech', story: 'an exit rule on an account attribute met at the next node' },
  { file: 'journey-workflow-migrate.json', workflowId: 'journey:migrate:hooli', story: 'a wait migrated to version 2 (continues as new)' },
  { file: 'journey-workflow-migrated-run.json', workflowId: 'journey:migrate:hooli', story: 'the migrated run finishing on version 2' },
  { file: 'journey-workflow-continue-as-new.json', workflowId: 'journey:loop:umbrella', story: 'a wait-and-split loop that continues as new' },
  { file: 'journey-workflow-on-error-and-timeout.json', workflowId: 'journey:errors:stark', story: 'a rejected webhook taking onError, then a wait for an event timing out' },
  // Recorded from the code of 2174d3c, the first paced fan-out, before progress was followed while it asks.
  { file: 'rescore-workflow-paced-fan-out.json', workflowId: 'rescore:test-0b60e68e:model-v2', story: 'a re-score of 60 people at 12 accounts that completed after an exact tally' },
  { file: 'rescore-workflow-paced-superseded.json', workflowId: 'rescore:test-0b60e68e:model-v3', story: 'a re-score superseded by a model saved right after it' },
  // Recorded from the code of e2827e7, before a saved segment's evaluation followed progress while its paced fan-out asks.
  { file: 'segment-refresh-workflow-v1.json', workflowId: 'segments:test-e839ea85:rev-1', story: 'a saved segment evaluated for 30 people' },
  { file: 'segment-refresh-workflow-superseded-v1.json', workflowId: 'segments:test-e839ea85:rev-2', story: 'an evaluation superseded by a segment saved right after it' },
  // Recorded from the code of 4d754a3, before a saved segment's evaluation followed a maintained count of the people evaluated.
  { file: 'segment-refresh-workflow-follow-while-asking.json', workflowId: 'segments:b2b-engine:rev-1', story: 'a saved segment evaluated for 6 people while its fan-out asked' },
  // Recorded from the code of ebe110c, before both jobs followed their kept counts through one KeptCountFollower (f99f353).
  { file: 'segment-refresh-workflow-counted.json', workflowId: 'segments:b2b-engine:rev-1', story: 'a saved segment evaluated for 8 people, followed by its kept count, then counted exactly' },
  // Recorded from the code of ccf645d (an npm start stack), before the fan-out started at once.
  { file: 'segment-refresh-workflow-before-asking-at-once.json', workflowId: 'segments:b2b-engine:rev-2', story: 'a saved segment evaluated for 17 people, counted before its fan-out asked' },
  // Recorded from the code of eba5cef (an npm start stack), before the fan-out was bounded by its heartbeat instead of 30 minutes.
  { file: 'segment-refresh-workflow-before-fan-out-by-heartbeat.json', workflowId: 'segments:b2b-engine:rev-3', story: 'a saved segment evaluated for 17 people, its fan-out asking at once' },
  { file: 'rescore-workflow-counted.json', workflowId: 'rescore:b2b-engine:model-v1', story: 'a re-score of 8 people followed by its kept count, then tallied exactly' },
  // Recorded from the code of 2cde522 (an npm start stack), before the exact tally got 10 minutes (faa8328).
  { file: 'rescore-workflow-before-patient-tally.json', workflowId: 'rescore:b2b-engine:model-v4', story: 'a re-score of 10 people tallied at its start and again when its kept count said done' },
  // Recorded from the code of 4db2443 (an npm start stack), before the fan-out started at once.
  { file: 'rescore-workflow-before-asking-at-once.json', workflowId: 'rescore:b2b-engine:model-v2', story: 'a re-score of 10 people tallied patiently at its start and again when its kept count said done' },
  // Recorded from the code of eba5cef (an npm start stack), before the fan-out was bounded by its heartbeat instead of 30 minutes.
  { file: 'rescore-workflow-before-fan-out-by-heartbeat.json', workflowId: 'rescore:b2b-engine:model-v3', story: 'a re-score of 17 people asking at once, tallied when its kept count said done' },
  // Recorded from the code of d87a1e8, before the projection writes became local activities.
  { file: 'journey-workflow-before-local-steps.json', workflowId: 'journey:jny_GVNx8onOTwhzi-6R:acme', story: 'a wait, a pause and a resume during a wait for an event, the event, two actions and the exit' },
  // Recorded from the code of 4fd555d, before queued actions became local activities.
  { file: 'journey-workflow-before-local-actions.json', workflowId: 'journey:jny_aA4mCJYjs7m44EeF:acme', story: 'a wait, a pause and a resume during a wait for an event, the event, a sales notification, an attribute set and the exit' },
  // Recorded from the code of 355ee8f, the first dispatcher.
  { file: 'dispatch-workflow-v1.json', workflowId: 'dispatch:email', story: 'an email retried while the relay was down, sent when it came back, then a second email' },
  // Recorded from the first lead transfer run.
  { file: 'lead-transfer-run-v1.json', workflowId: 'lead-transfer-run:lt_UNKgB2twAwyJMd9m-2026-11-26T17:02:32Z', story: 'a run of two leads, one refused by the CRM, polling while the CRM held its answer' },
  // Recorded from the first nurture workflow.
  { file: 'nurture-workflow-v1.json', workflowId: 'nurture:ns_2HvJb6_g9-MqDUbt:p_iwFlvZ8-HDKdLrt9', story: 'three casts a second apart, exhausted, a fourth campaign appended and cast, a pause, a resume and a stop' },
];

describe.each(fixtures)('replaying recorded histories', ({ file, workflowId, story }) => {
  test(`today's workflow code replays ${file} (${story}) without non-determinism`, async () => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(__dirname, 'fixtures', file), 'utf8')));
    expect(history.events?.length).toBeGreaterThan(10);
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: testServers().bundlePath } }, history, workflowId),
    ).resolves.toBeUndefined();
  });
});
