/**
 * Which entity workflow applies a person's events: the account's when the
 * person belongs to one, else the person's own until an account appears.
 */
export type EntityRef = { kind: 'account'; accountKey: string } | { kind: 'person'; personId: string };

export function entityWorkflowId(ref: EntityRef): string {
  return ref.kind === 'account' ? `account:${ref.accountKey}` : `person:${ref.personId}`;
}

export function entityRefFor(accountKey: string | null | undefined, personId: string): EntityRef {
  return accountKey ? { kind: 'account', accountKey } : { kind: 'person', personId };
}
