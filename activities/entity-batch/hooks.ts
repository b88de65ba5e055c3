import type { AccountEvent } from '../../domain/events';
import type { MembershipChange } from '../../domain/segments/membership';
import type { NewMessage } from '../../lib/deliveries';

/** What happens around an account's batch beyond its own documents (journeys, nurture streams, deliveries). */
export interface AccountHooks {
  /**
   * Before the members' own fields are written, with the account segments it
   * just entered: a retry sees the same entries again, so what it starts must
   * be idempotent (journey starts are).
   */
  enteredSegments(accountKey: string, segmentIds: readonly string[]): Promise<void>;
  /** After the batch's writes, so what reacts to the events sees them applied; a retry repeats it. */
  applied(accountKey: string, events: readonly AccountEvent[]): Promise<void>;
  /** Records outbound messages (ids naming what caused them, so a retry records nothing twice) and wakes their delivery. */
  deliver(messages: NewMessage[]): Promise<unknown>;
  /** After the batch's segment entries and exits are recorded, before the members' own fields: a retry sees them again (nurture entry is idempotent). */
  segmentsChanged(changes: readonly MembershipChange[]): Promise<void>;
}
