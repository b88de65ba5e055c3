// Records a workflow's history as a replay fixture for test/fixtures/:
//   npx tsx scripts/record-history.ts <workflowId> <fixture-name>
// against the running stack (TEMPORAL_ADDRESS). Replay tests then prove that
// changed workflow code still replays what running instances already did.
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { connectTemporalClient } from '../lib/temporal';

async function main(): Promise<void> {
  const [workflowId, name] = process.argv.slice(2);
  if (!workflowId || !name) throw new Error('usage: record-history.ts <workflowId> <fixture-name>');
  const client = await connectTemporalClient(loadConfig());
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const file = path.resolve(__dirname, '..', 'test', 'fixtures', `${name}.json`);
  writeFileSync(file, historyToJSON(history));
  console.log(`recorded ${history.events?.length ?? 0} events of ${workflowId} to ${file}`);
  await client.connection.close();
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
