// The Temporal floor: the call each PUT makes to its account's workflow (a
// signalWithStart asking for a re-score), by as many clients, one a person,
// to workflows of a task queue no worker polls. It is the server's own cost
// of the call, without the re-score it asks for. Those workflows time out by
// themselves, also on a server the bench did not start.
import type { Client } from '@temporalio/client';
import { refreshSignal } from '../../workflows/account-messages';
import { closedLoop } from '../closed-loop';
import { cpuMsPer, processLoad } from '../load';
import { ratePerSecond } from '../stats';
import type { BenchPerson } from './people';

export async function signalFloor(client: Client, people: BenchPerson[], clients: number, seconds: number, runTag: string, dataDir: string) {
  const taskQueue = `bench-signal-floor-${runTag}`;
  let next = 0;
  const load = processLoad(dataDir);
  const { loadMs } = await closedLoop(clients, seconds, async () => {
    if (next >= people.length) return false;
    const { accountKey } = people[next++];
    await client.workflow.signalWithStart('accountWorkflow', {
      workflowId: `${taskQueue}-${accountKey}`,
      taskQueue,
      args: [{ entity: { kind: 'account', accountKey }, historyLimit: 1000 }],
      workflowExecutionTimeout: '2 minutes',
      signal: refreshSignal,
      signalArgs: [{ reason: 'person updated', atLeast: {} }],
    });
    return true;
  });
  const phaseLoad = load();
  return { calls: next, clients, ms: loadMs, callsPerSecond: ratePerSecond(next, loadMs), process: phaseLoad, cpuMsPerCall: cpuMsPer(next, phaseLoad) };
}
