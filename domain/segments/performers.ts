import { type Condition, evaluate, fieldReader, valueTestOncePerValue } from '../condition';
import { type PersonFacts, type TimedEvent, timeOf } from './evaluate';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

/**
 * One type's events of one day as parallel arrays, read in order: a part
 * touches an event object only when its `where` reads a person or account
 * field. An event field a `where` reads is copied into a column on first use.
 */
interface Bucket {
  /** The person's row; -1 once taken out (compacted away when half are). */
  rows: number[];
  times: number[];
  events: TimedEvent[];
  facts: PersonFacts[];
  columns: Map<string, { read: (ctx: { event: Record<string, unknown> }) => unknown; values: unknown[] }>;
  taken: number;
}

/** Whether entry i of a bucket satisfies a `where`, bound to one bucket at a time. */
type EntryTest = (bucket: Bucket) => (i: number) => boolean;

/**
 * Everyone's events by type and day, filed under each person's row (Rows):
 * a preview's `performed` part counts the events of its type in its window,
 * rather than reading every event of everyone. An event is filed under its
 * own type and the built-in type it means, as `performed` matches it.
 */
export class PerformerIndex {
  private readonly byType = new Map<string, Map<number, Bucket>>();

  add(row: number, facts: PersonFacts): void {
    for (const e of facts.events) {
      const time = timeOf(e);
      for (const type of typesOf(e)) {
        const days = this.byType.get(type) ?? new Map<number, Bucket>();
        this.byType.set(type, days);
        let bucket = days.get(dayOf(time));
        if (!bucket) days.set(dayOf(time), (bucket = { rows: [], times: [], events: [], facts: [], columns: new Map(), taken: 0 }));
        bucket.rows.push(row);
        bucket.times.push(time);
        bucket.events.push(e);
        bucket.facts.push(facts);
        for (const c of bucket.columns.values()) c.values.push(c.read({ event: e as unknown as Record<string, unknown> }));
      }
    }
  }

  /** Takes out everything `add` filed for this row and these facts. */
  remove(row: number, facts: PersonFacts): void {
    for (const e of facts.events) {
      const day = dayOf(timeOf(e));
      for (const type of typesOf(e)) {
        const days = this.byType.get(type);
        const bucket = days?.get(day);
        if (!bucket) continue;
        for (let i = 0; i < bucket.rows.length; i++) {
          if (bucket.rows[i] !== row) continue;
          bucket.rows[i] = -1;
          bucket.taken++;
        }
        if (bucket.taken === bucket.rows.length) {
          days!.delete(day);
          if (!days!.size) this.byType.delete(type);
        } else if (bucket.taken * 2 > bucket.rows.length) compact(bucket);
      }
    }
  }

  /** Adds to `counts[row]` each event of this type with `afterMs < time <= untilMs` that satisfies `where`. */
  count(type: string, afterMs: number, untilMs: number, where: Condition | undefined, counts: Uint32Array): void {
    const days = this.byType.get(type);
    if (!days) return;
    const test = where ? entryTest(where) : undefined;
    const [first, last] = [dayOf(afterMs), dayOf(untilMs)];
    const countIn = (bucket: Bucket) => {
      const { rows, times } = bucket;
      const holds = test?.(bucket);
      for (let i = 0; i < rows.length; i++) {
        if (rows[i] < 0 || times[i] <= afterMs || times[i] > untilMs) continue;
        if (!holds || holds(i)) counts[rows[i]]++;
      }
    };
    if (last - first + 1 < days.size) {
      for (let day = first; day <= last; day++) {
        const bucket = days.get(day);
        if (bucket) countIn(bucket);
      }
    } else {
      for (const [day, bucket] of days) if (day >= first && day <= last) countIn(bucket);
    }
  }
}

const typesOf = (e: TimedEvent) => (e.means && e.means !== e.type ? [e.type, e.means] : [e.type]);

function compact(bucket: Bucket): void {
  const keep = bucket.rows.flatMap((row, i) => (row < 0 ? [] : [i]));
  bucket.rows = keep.map((i) => bucket.rows[i]);
  bucket.times = keep.map((i) => bucket.times[i]);
  bucket.events = keep.map((i) => bucket.events[i]);
  bucket.facts = keep.map((i) => bucket.facts[i]);
  for (const c of bucket.columns.values()) c.values = keep.map((i) => c.values[i]);
  bucket.taken = 0;
}

function column(bucket: Bucket, field: string): unknown[] {
  let c = bucket.columns.get(field);
  if (!c) {
    const read = fieldReader(field);
    c = { read, values: bucket.events.map((e) => read({ event: e as unknown as Record<string, unknown> })) };
    bucket.columns.set(field, c);
  }
  return c.values;
}

/** As evaluate() with { event, person, account }: event fields from the bucket's columns, each distinct value tested once. */
function entryTest(c: Condition): EntryTest {
  if ('all' in c) {
    const parts = c.all.map(entryTest);
    return (bucket) => {
      const bound = parts.map((p) => p(bucket));
      return (i) => bound.every((p) => p(i));
    };
  }
  if ('any' in c) {
    const parts = c.any.map(entryTest);
    return (bucket) => {
      const bound = parts.map((p) => p(bucket));
      return (i) => bound.some((p) => p(i));
    };
  }
  if ('not' in c) {
    const inner = entryTest(c.not);
    return (bucket) => {
      const bound = inner(bucket);
      return (i) => !bound(i);
    };
  }
  if (c.field.startsWith('event.')) {
    const test = valueTestOncePerValue(c);
    return (bucket) => {
      const values = column(bucket, c.field);
      return (i) => test(values[i]);
    };
  }
  return (bucket) => (i) => evaluate(c, { person: bucket.facts[i].person, account: bucket.facts[i].account });
}
