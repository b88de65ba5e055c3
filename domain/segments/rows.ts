import { type ConditionContext, fieldReader } from '../condition';

interface Column {
  read: (ctx: ConditionContext) => unknown;
  values: unknown[];
}

/**
 * The members of one level (people, or accounts) by row, each with the
 * context its conditions read. A field a condition asks for is copied into a
 * column on first use and kept current as members change, so a preview reads
 * one array per field instead of every member's object. Rows of members
 * taken out are reused.
 */
export class Rows {
  /** The member in each row; undefined where a row is free. */
  readonly ids: (string | undefined)[] = [];
  private readonly rowOf = new Map<string, number>();
  private readonly contexts: (ConditionContext | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly columns = new Map<string, Column>();

  get length(): number {
    return this.ids.length;
  }

  row(id: string): number | undefined {
    return this.rowOf.get(id);
  }

  /** Puts the member in its row, or a new one: returns the row. */
  set(id: string, ctx: ConditionContext): number {
    let row = this.rowOf.get(id);
    if (row === undefined) {
      row = this.free.pop() ?? this.ids.length;
      this.rowOf.set(id, row);
      this.ids[row] = id;
    }
    this.contexts[row] = ctx;
    for (const c of this.columns.values()) c.values[row] = c.read(ctx);
    return row;
  }

  delete(id: string): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    this.rowOf.delete(id);
    this.ids[row] = undefined;
    this.contexts[row] = undefined;
    for (const c of this.columns.values()) c.values[row] = undefined;
    this.free.push(row);
  }

  /** The field's value in every row (`person.jobTitle`, `account.industry`). */
  column(field: string): readonly unknown[] {
    let c = this.columns.get(field);
    if (!c) {
      const read = fieldReader(field);
      c = { read, values: this.contexts.map((ctx) => (ctx ? read(ctx) : undefined)) };
      this.columns.set(field, c);
    }
    return c.values;
  }

  /** 1 in each row that holds a member. */
  occupied(): Uint8Array {
    const flags = new Uint8Array(this.ids.length);
    for (let r = 0; r < flags.length; r++) flags[r] = this.ids[r] === undefined ? 0 : 1;
    return flags;
  }
}
