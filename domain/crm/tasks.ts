import type { CrmTask } from './records';

/** A HubSpot task: due now (hs_timestamp is required), for the owner when one is named. */
export function hubspotTask(task: CrmTask, now: Date): Record<string, string> {
  const properties: Record<string, string> = {
    hs_task_subject: task.subject,
    hs_task_body: task.body,
    hs_timestamp: now.toISOString(),
    hs_task_status: 'NOT_STARTED',
    hs_task_type: 'TODO',
  };
  if (task.ownerId) properties.hubspot_owner_id = task.ownerId;
  return properties;
}

/** A Salesforce Task (Status is required); without OwnerId Salesforce assigns it to the API user. */
export function salesforceTask(task: CrmTask): Record<string, string> {
  const record: Record<string, string> = { Subject: task.subject, Description: task.body, Status: 'Not Started', Priority: 'Normal' };
  if (task.ownerId) record.OwnerId = task.ownerId;
  return record;
}
