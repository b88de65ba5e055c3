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
