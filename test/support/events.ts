let counter = 0;

/** A valid event for the API, with a unique eventId unless one is given. */
export function event(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    eventId: `evt-${Date.now()}-${counter}`,
    type: 'email_open',
    occurredAt: new Date(Date.UTC(2026, 10, 1, 9, 0, counter % 60)).toISOString(),
    person: { email: 'ann@acme.example' },
    ...overrides,
  };
}
