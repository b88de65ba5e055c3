import { segmentChangeId, type MembershipChange } from '../segments/membership';

/**
 * The changes an ad audience is sent: one per person, ADD or REMOVE, each an
 * outbound message on the audience's lane whose id names what caused it, so
 * whatever retries or replays happen upstream it is recorded once.
 */
export type AudienceAction = 'ADD' | 'REMOVE';

export interface AudienceChangeOrder {
  /** Unique per audience and cause: the message id. */
  id: string;
  audienceKey: string;
  personId: string;
  action: AudienceAction;
}

/** The message id of a change an audience is sent, for the cause that made it. */
export const audienceMessageId = (audienceKey: string, cause: string) => `audience:${audienceKey}:${cause}`;

/**
 * What a batch's segment entries and exits ask of the audiences following
 * those segments (segment id → audience keys): entries are added, exits
 * removed. Audiences follow person segments, so a member is a person.
 */
export function followingChanges(changes: readonly MembershipChange[], followers: ReadonlyMap<string, readonly string[]>, batchId: string): AudienceChangeOrder[] {
  return changes.flatMap((c) =>
    (followers.get(c.segmentId) ?? []).map((audienceKey) => ({
      id: audienceMessageId(audienceKey, segmentChangeId(c, batchId)),
      audienceKey,
      personId: c.memberId,
      action: c.change === 'entered' ? ('ADD' as const) : ('REMOVE' as const),
    })),
  );
}

/**
 * What makes an audience equal to its segment when it starts following it:
 * members not on the platform are added, people there who are not members
 * are removed. `seed` names this start, so a retried seeding records nothing twice.
 */
export function seedChanges(audienceKey: string, seed: string, segmentMembers: readonly string[], onPlatform: readonly string[]): AudienceChangeOrder[] {
  const members = new Set(segmentMembers);
  const held = new Set(onPlatform);
  const order = (personId: string, action: AudienceAction) => ({ id: audienceMessageId(audienceKey, `seed:${seed}:${personId}`), audienceKey, personId, action });
  return [...[...members].filter((p) => !held.has(p)).map((p) => order(p, 'ADD')), ...[...held].filter((p) => !members.has(p)).map((p) => order(p, 'REMOVE'))];
}

/** The outbound message of a change, its identity hashed when it is recorded (a removal removes what was added). */
export function audienceMessage(o: AudienceChangeOrder, sha256Email: string, accountKey?: string | null) {
  return {
    _id: o.id,
    channel: 'audience' as const,
    type: o.action === 'ADD' ? 'audience.add' : 'audience.remove',
    personId: o.personId,
    ...(accountKey ? { accountKey } : {}),
    payload: { destination: o.audienceKey, action: o.action, sha256Email },
  };
}
