/**
 * A stream's life: draft → active ⇄ paused → stopped. The status decides what
 * a marketer may do next; a stopped stream keeps its enrolments as history.
 */
export const STREAM_STATUSES = ['draft', 'active', 'paused', 'stopped'] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

export const STREAM_ACTIONS = ['activate', 'pause', 'resume', 'stop'] as const;
export type StreamAction = (typeof STREAM_ACTIONS)[number];

const TARGET: Record<StreamAction, StreamStatus> = { activate: 'active', pause: 'paused', resume: 'active', stop: 'stopped' };

/** From which statuses each action may go; its own target too, so a repeated request changes nothing and is no error. */
const ALLOWED_FROM: Record<StreamAction, readonly StreamStatus[]> = {
  activate: ['draft', 'active'],
  pause: ['active', 'paused'],
  resume: ['paused', 'active'],
  stop: ['draft', 'active', 'paused', 'stopped'],
};

export type Transition = { ok: true; to: StreamStatus; changed: boolean } | { ok: false; reason: string };

export function transition(from: StreamStatus, action: StreamAction): Transition {
  if (ALLOWED_FROM[action].includes(from)) return { ok: true, to: TARGET[action], changed: from !== TARGET[action] };
  return { ok: false, reason: `the nurture stream is ${from}: ${action} is allowed only when it is ${ALLOWED_FROM[action].filter((s) => s !== TARGET[action]).join(' or ')}` };
}

/** How an edit is judged: anything goes in a draft; people on a running stream keep their place, so it may only grow; a stopped one is history. */
export function editRule(status: StreamStatus): 'any' | 'appendOnly' | { refused: string } {
  if (status === 'draft') return 'any';
  if (status === 'stopped') return { refused: 'the nurture stream is stopped: it keeps its history but can no longer be edited' };
  return 'appendOnly';
}

/** Whether people can be enrolled: a draft is not running yet and a stopped stream never will again. */
export function mayEnrol(status: StreamStatus): string | undefined {
  if (status === 'draft') return 'the nurture stream is draft: activate it before enrolling people';
  if (status === 'stopped') return 'the nurture stream is stopped: nobody can join it';
  return undefined;
}
