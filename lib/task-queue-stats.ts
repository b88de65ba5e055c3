import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export type TaskKind = 'workflow' | 'activity';

export interface TaskQueueStats {
  /** Tasks waiting for a worker (the server's approximate count; a workflow's tasks on its worker's sticky queue are not in it). */
  backlog: number;
  /** Seconds the oldest of them has waited. */
  backlogAgeS: number;
  addedPerSecond: number;
  dispatchedPerSecond: number;
}

const TYPES: Record<TaskKind, temporal.api.enums.v1.TaskQueueType> = {
  workflow: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  activity: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
};

/** One task queue as the Temporal server sees it; null from a server that reports no statistics. */
export async function taskQueueStats(client: Client, taskQueue: string, kind: TaskKind): Promise<TaskQueueStats | null> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TYPES[kind],
    reportStats: true,
  });
  const s = res.stats;
  if (!s) return null;
  const age = s.approximateBacklogAge;
  return {
    backlog: Number(s.approximateBacklogCount ?? 0),
    backlogAgeS: Number(age?.seconds ?? 0) + (age?.nanos ?? 0) / 1e9,
    addedPerSecond: s.tasksAddRate ?? 0,
    dispatchedPerSecond: s.tasksDispatchRate ?? 0,
  };
}
