/**
 * The ids an entity workflow applied most recently, oldest first, at most
 * `limit`: re-sent or duplicated ids within that window change nothing.
 */
export class RecentIds {
  private readonly order: string[];
  private readonly set: Set<string>;

  constructor(
    initial: readonly string[],
    private readonly limit: number,
  ) {
    this.order = initial.slice(-limit);
    this.set = new Set(this.order);
  }

  has(id: string): boolean {
    return this.set.has(id);
  }

  add(id: string): void {
    if (this.set.has(id)) return;
    this.order.push(id);
    this.set.add(id);
    if (this.order.length > this.limit) this.set.delete(this.order.shift()!);
  }

  toArray(): string[] {
    return [...this.order];
  }
}

/** Events not seen before, each id once, in arrival order. */
export function freshEvents<T extends { eventId: string }>(events: readonly T[], seen: RecentIds): T[] {
  const out: T[] = [];
  const inBatch = new Set<string>();
  for (const e of events) {
    if (seen.has(e.eventId) || inBatch.has(e.eventId)) continue;
    inBatch.add(e.eventId);
    out.push(e);
  }
  return out;
}
