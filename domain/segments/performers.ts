import { type PersonFacts, type TimedEvent, timeOf } from './evaluate';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

/** One person's events of one type on one day. */
interface Performed {
  facts: PersonFacts;
  events: TimedEvent[];
}

/**
 * Everyone's events by type and day: a preview's `performed` part reads the
 * events of its type in its window, rather than every event of everyone. An
 * event is filed under its own type and the built-in type it means, as
 * `performed` matches it.
 */
export class PerformerIndex {
  private readonly byType = new Map<string, Map<number, Map<string, Performed>>>();

  add(personId: string, facts: PersonFacts): void {
    for (const e of facts.events) {
      for (const type of typesOf(e)) {
        const days = this.byType.get(type) ?? new Map<number, Map<string, Performed>>();
        this.byType.set(type, days);
        const day = dayOf(timeOf(e));
        const people = days.get(day) ?? new Map<string, Performed>();
        days.set(day, people);
        const performed = people.get(personId);
        if (performed) performed.events.push(e);
        else people.set(personId, { facts, events: [e] });
      }
    }
  }

  /** Takes out everything `add` filed for these facts. */
  remove(personId: string, facts: PersonFacts): void {
    for (const e of facts.events) {
      for (const type of typesOf(e)) {
        const days = this.byType.get(type);
        const day = dayOf(timeOf(e));
        const people = days?.get(day);
        if (!people?.delete(personId) || people.size) continue;
        days!.delete(day);
        if (!days!.size) this.byType.delete(type);
      }
    }
  }

  /** Each event of this type on the days from `fromMs` to `toMs`, with whose it is: the caller checks the exact times. */
  forEach(type: string, fromMs: number, toMs: number, visit: (personId: string, facts: PersonFacts, event: TimedEvent) => void): void {
    const days = this.byType.get(type);
    if (!days) return;
    const [first, last] = [dayOf(fromMs), dayOf(toMs)];
    const visitDay = (people: Map<string, Performed>) => {
      for (const [id, { facts, events }] of people) for (const e of events) visit(id, facts, e);
    };
    if (last - first + 1 < days.size) {
      for (let day = first; day <= last; day++) {
        const people = days.get(day);
        if (people) visitDay(people);
      }
    } else {
      for (const [day, people] of days) if (day >= first && day <= last) visitDay(people);
    }
  }
}

const typesOf = (e: TimedEvent) => (e.means && e.means !== e.type ? [e.type, e.means] : [e.type]);
