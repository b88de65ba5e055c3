import { type PersonFacts, type TimedEvent, timeOf } from './evaluate';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

/** One person's events of one type on one day, with their times beside them (a part without `where` reads no event). */
interface Performed {
  facts: PersonFacts;
  events: TimedEvent[];
  times: number[];
}

/**
 * Everyone's events by type and day, filed under each person's row (Rows): a preview's `performed` part reads the
 * events of its type in its window, rather than every event of everyone. An
 * event is filed under its own type and the built-in type it means, as
 * `performed` matches it.
 */
export class PerformerIndex {
  private readonly byType = new Map<string, Map<number, Map<number, Performed>>>();

  add(row: number, facts: PersonFacts): void {
    for (const e of facts.events) {
      for (const type of typesOf(e)) {
        const days = this.byType.get(type) ?? new Map<number, Map<number, Performed>>();
        this.byType.set(type, days);
        const time = timeOf(e);
        const day = dayOf(time);
        const people = days.get(day) ?? new Map<number, Performed>();
        days.set(day, people);
        const performed = people.get(row);
        if (performed) {
          performed.events.push(e);
          performed.times.push(time);
        } else people.set(row, { facts, events: [e], times: [time] });
      }
    }
  }

  /** Takes out everything `add` filed for these facts. */
  remove(row: number, facts: PersonFacts): void {
    for (const e of facts.events) {
      for (const type of typesOf(e)) {
        const days = this.byType.get(type);
        const day = dayOf(timeOf(e));
        const people = days?.get(day);
        if (!people?.delete(row) || people.size) continue;
        days!.delete(day);
        if (!days!.size) this.byType.delete(type);
      }
    }
  }

  /** Each event of this type on the days from `fromMs` to `toMs`, with its person's row and its time: the caller checks the exact times. */
  forEach(type: string, fromMs: number, toMs: number, visit: (row: number, facts: PersonFacts, event: TimedEvent, time: number) => void): void {
    const days = this.byType.get(type);
    if (!days) return;
    const [first, last] = [dayOf(fromMs), dayOf(toMs)];
    const visitDay = (people: Map<number, Performed>) => {
      for (const [row, { facts, events, times }] of people) for (let i = 0; i < events.length; i++) visit(row, facts, events[i], times[i]);
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
