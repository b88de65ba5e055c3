import type { AccountEvent } from '../domain/events';
import type { EntityRef } from '../domain/routing';
import { logger } from './logger';

/** Events stored and not yet handed to a signal, beyond which a new batch waits before it is stored. */
const MAX_QUEUED_EVENTS = 10000;
/** Events one signal carries at most (the API's batch limit): the workflow's history stays in small steps. */
const MAX_EVENTS_PER_SIGNAL = 1000;
/**
 * Calls in flight at once. Temporal, not the database, answers them, so they
 * stay out of the statement pool (lib/each-statement.ts): at its 16 a call
 * took 70 ms while the server used a quarter of a core, and signals fell
 * behind the batches; the server takes many more at once.
 */
const MAX_SIGNALS_IN_FLIGHT = 64;

type SendEvents = (entity: EntityRef, events: AccountEvent[]) => Promise<void>;
export interface Sent {
  delivered: number;
  failed: number;
}

/** One caller's events for one entity, and the tally of the call they came in. */
interface Part {
  events: AccountEvent[];
  tally: Tally;
}
/** What waits for one entity's next call. */
interface Waiting {
  entity: EntityRef;
  parts: Part[];
}

class Tally {
  private left: number;
  private result: Sent = { delivered: 0, failed: 0 };
  private resolve!: (sent: Sent) => void;
  readonly done = new Promise<Sent>((resolve) => (this.resolve = resolve));
  constructor(groups: number) {
    this.left = groups;
    if (groups === 0) this.resolve(this.result);
  }
  settle(ok: boolean): void {
    this.result[ok ? 'delivered' : 'failed'] += 1;
    if (--this.left === 0) this.resolve(this.result);
  }
}

/**
 * The process's way of handing stored events to their entity workflows: at
 * most one signal in flight per entity, carrying everything queued for it
 * since the last one. Under load a call thus carries many batches' events,
 * and the calls made fall as batches arrive faster; callers need not wait for
 * them, since the pending markers written before make the sweeper re-send
 * what a dead process never signalled.
 */
export class EventSignals {
  /** Per workflow id, in the order they first waited: events not yet taken by a call. */
  private readonly queued = new Map<string, Waiting>();
  private readonly sending = new Set<string>();
  private queuedEvents = 0;
  private lanes = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: SendEvents,
    private readonly limits = { maxQueuedEvents: MAX_QUEUED_EVENTS, maxEventsPerSignal: MAX_EVENTS_PER_SIGNAL, maxInFlight: MAX_SIGNALS_IN_FLIGHT },
  ) {}

  /** Resolves once the queue has room: a caller about to store a batch waits here first, so memory and the lag behind stay bounded. */
  async room(): Promise<void> {
    while (this.queuedEvents >= this.limits.maxQueuedEvents) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /**
   * Queues each group's events for its workflow. `sent` resolves when every
   * group has been in a finished call, with how many of them failed (their
   * events are left to the sweeper); it never rejects.
   */
  enqueue(groups: Map<string, { entity: EntityRef; events: AccountEvent[] }>): { sent: Promise<Sent> } {
    const tally = new Tally(groups.size);
    for (const [workflowId, { entity, events }] of groups) {
      const waiting = this.queued.get(workflowId) ?? { entity, parts: [] };
      waiting.parts.push({ events, tally });
      this.queued.set(workflowId, waiting);
      this.queuedEvents += events.length;
    }
    // A lane takes its first workflow at once, so each new one finds the next.
    while (this.lanes < this.limits.maxInFlight && this.nextReady()) {
      this.lanes += 1;
      void this.lane();
    }
    return { sent: tally.done };
  }

  /** Resolves when nothing is queued or in flight (a process shutting down waits for its calls). */
  async drain(): Promise<void> {
    if (this.queued.size > 0 || this.sending.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private async lane(): Promise<void> {
    for (let next = this.nextReady(); next; next = this.nextReady()) {
      const [workflowId, waiting] = next;
      this.sending.add(workflowId);
      await this.call(workflowId, waiting);
      this.sending.delete(workflowId);
    }
    this.lanes -= 1;
    if (this.lanes === 0 && this.queued.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** The workflow waiting longest that has no call in flight. */
  private nextReady(): [string, Waiting] | undefined {
    for (const entry of this.queued) if (!this.sending.has(entry[0])) return entry;
    return undefined;
  }

  /** Takes what is queued for the workflow now: whatever arrived while its last call ran goes along. */
  private async call(workflowId: string, waiting: Waiting): Promise<void> {
    const parts: Part[] = [];
    let count = 0;
    while (waiting.parts.length && (parts.length === 0 || count + waiting.parts[0].events.length <= this.limits.maxEventsPerSignal)) {
      const part = waiting.parts.shift()!;
      parts.push(part);
      count += part.events.length;
    }
    // Whatever is left waits at the back, behind workflows that waited longer.
    this.queued.delete(workflowId);
    if (waiting.parts.length) this.queued.set(workflowId, waiting);
    this.queuedEvents -= count;
    if (this.queuedEvents < this.limits.maxQueuedEvents) this.roomWaiters.splice(0).forEach((resolve) => resolve());
    let ok = true;
    try {
      await this.send(waiting.entity, parts.flatMap((p) => p.events));
    } catch (err) {
      ok = false;
      logger.warn({ workflowId, events: count, err: (err as Error).message }, 'events stored but not signalled; the sweeper re-sends them');
    }
    for (const p of parts) p.tally.settle(ok);
  }
}
