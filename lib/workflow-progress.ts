import type { Client } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

/** A background workflow's progress: its result once completed, else what its query says; null if it never ran. */
export async function progressOf<T>(client: Client, workflowId: string, query: QueryDefinition<T>): Promise<T | null> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const description = await handle.describe();
    return description.status.name === 'COMPLETED' ? await handle.result() : await handle.query(query);
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return null;
    throw err;
  }
}
