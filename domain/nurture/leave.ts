import { evaluate, type Condition, type ConditionContext } from '../condition';

export interface LeaveFacts {
  /** The person as conditions see them, with their score status. */
  context: ConditionContext;
  status?: string;
  consent?: { email?: boolean | null; topics?: Record<string, boolean> | null } | null;
  /** Handed to sales by a lead transfer since they joined the stream. */
  transferred?: boolean;
  /** The topic of the email about to be cast, if it is one. */
  topic?: string;
  /** Out of the stream's entry segment, on a stream that lets such people go (keepOnLeave: false). */
  leftSegment?: boolean;
}

/**
 * Why a person leaves a stream before their next cast, or undefined: sales-ready
 * (qualified) or handed to sales, no longer wanting marketing email or this email's topic, out
 * of the entry segment (if the stream says so), or the stream's exit rule.
 */
export function leaveReason(facts: LeaveFacts, exitWhen?: Condition): string | undefined {
  if (facts.status === 'qualified') return 'qualified';
  if (facts.transferred) return 'transferred to sales';
  if (facts.consent?.email === false) return 'unsubscribed';
  if (facts.topic && facts.consent?.topics?.[facts.topic] === false) return `unsubscribed from ${facts.topic}`;
  if (facts.leftSegment) return 'left segment';
  if (exitWhen && evaluate(exitWhen, facts.context)) return 'exit rule met';
  return undefined;
}
