import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** The activities a history ran locally, in order, as their markers name them. */
export function localActivityTypes(events: temporal.api.history.v1.IHistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? e.markerRecordedEventAttributes.details?.data?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { activity_type: string }).activity_type] : [];
  });
}

const eventTypeName = (t: temporal.api.enums.v1.EventType | null | undefined) => (t == null ? '?' : temporal.api.enums.v1.EventType[t].replace('EVENT_TYPE_', ''));
const timeOf = (e: temporal.api.history.v1.IHistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/** A workflow's history and pending activities, one line each, timed from its first event: what a timed-out wait prints. */
export async function workflowStory(client: Client, workflowId: string): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  const events = (await handle.fetchHistory()).events ?? [];
  const start = events.length ? timeOf(events[0]) : 0;
  const lines = events.map((e) => {
    const detail =
      e.activityTaskScheduledEventAttributes?.activityType?.name ??
      e.workflowExecutionSignaledEventAttributes?.signalName ??
      e.activityTaskFailedEventAttributes?.failure?.message ??
      e.activityTaskTimedOutEventAttributes?.failure?.message ??
      e.workflowTaskFailedEventAttributes?.failure?.message ??
      e.workflowTaskScheduledEventAttributes?.taskQueue?.name ??
      '';
    return `+${((timeOf(e) - start) / 1000).toFixed(2)}s #${e.eventId} ${eventTypeName(e.eventType)} ${detail}`;
  });
  const { raw } = await handle.describe();
  const pending = (raw.pendingActivities ?? []).map((a) => `pending ${a.activityType?.name} attempt ${a.attempt} state ${a.state} last failure ${a.lastFailure?.message ?? '-'}`);
  return [`${workflowId} (now +${((Date.now() - start) / 1000).toFixed(2)}s):`, ...lines, ...pending].join('\n');
}
