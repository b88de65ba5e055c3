/**
 * A lead transfer's life: draft → active ⇄ paused → stopped. The status
 * decides what a marketer may do next, as in the seed's Transfer Leads app.
 */
export const TRANSFER_STATUSES = ['draft', 'active', 'paused', 'stopped'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export const TRANSFER_ACTIONS = ['activate', 'pause', 'stop'] as const;
export type TransferAction = (typeof TRANSFER_ACTIONS)[number];

const TARGET: Record<TransferAction, TransferStatus> = { activate: 'active', pause: 'paused', stop: 'stopped' };

/** From which statuses each action may go (its own target included: a repeated request changes nothing and is not an error). */
const ALLOWED_FROM: Record<TransferAction, readonly TransferStatus[]> = {
  activate: ['draft', 'paused', 'active'],
  pause: ['active', 'paused'],
  // A draft can be retired too: there is no other way to put one away, and it keeps its runs.
  stop: ['draft', 'active', 'paused', 'stopped'],
};

export type Transition = { ok: true; to: TransferStatus } | { ok: false; reason: string };

export function transition(from: TransferStatus, action: TransferAction): Transition {
  if (ALLOWED_FROM[action].includes(from)) return { ok: true, to: TARGET[action] };
  return { ok: false, reason: `the lead transfer is ${from}: ${action} is allowed only when it is ${ALLOWED_FROM[action].filter((s) => s !== TARGET[action]).join(' or ')}` };
}

const EDITABLE: readonly TransferStatus[] = ['draft', 'paused'];

/** Only a transfer that is not running on its schedule can change, so no run sees half an edit. */
export function mayEdit(status: TransferStatus): string | undefined {
  return EDITABLE.includes(status) ? undefined : `the lead transfer is ${status}: only draft and paused transfers can be edited${status === 'active' ? ' (pause it first)' : ''}`;
}

/**
 * "Run now" is a marketer's check before switching the schedule on (draft),
 * between scheduled runs (active) or while the schedule is held (paused); a
 * stopped transfer is history only.
 */
export function mayRunNow(status: TransferStatus): string | undefined {
  return status === 'stopped' ? 'the lead transfer is stopped: it keeps its history but runs no more' : undefined;
}

/** Whether the transfer's Schedule fires on its own. */
export const runsOnSchedule = (status: TransferStatus) => status === 'active';
