import { type ConditionContext, fieldReader } from '../condition';

/**
 * A field's values, dictionary-encoded: each row holds the code of its value,
 * and a condition is tested once per distinct value. Texts, numbers and flags
 * share a code; a list or object gets one of its own, given back when no row
 * holds it any more.
 */
export interface Column {
  read: (ctx: ConditionContext) => unknown;
  /** The code of each row's value. */
  codes: number[];
  /** The value of each code. */
  values: unknown[];
  codeOf: Map<unknown, number>;
  freeCodes: number[];
}

const shared = (v: unknown) => typeof v !== 'object' || v === null;

function encode(c: Column, value: unknown): number {
  if (shared(value)) {
    let code = c.codeOf.get(value);
    if (code === undefined) {
      code = c.values.push(value) - 1;
      c.codeOf.set(value, code);
    }
    return code;
  }
  const code = c.freeCodes.pop() ?? c.values.length;
  c.values[code] = value;
  return code;
}

function release(c: Column, row: number): void {
  const code = c.codes[row];
  if (code !== undefined && !shared(c.values[code])) {
    c.values[code] = undefined;
    c.freeCodes.push(code);
  }
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
    for (const c of this.columns.values()) {
      release(c, row);
      c.codes[row] = encode(c, c.read(ctx));
    }
    return row;
  }

  delete(id: string): void {
    const row = this.rowOf.get(id);
    if (row === undefined) return;
    this.rowOf.delete(id);
    this.ids[row] = undefined;
    this.contexts[row] = undefined;
    for (const c of this.columns.values()) {
      release(c, row);
      c.codes[row] = encode(c, undefined);
    }
    this.free.push(row);
  }

  /** The field's values in every row (`person.jobTitle`, `account.industry`). */
  column(field: string): Readonly<Column> {
    let c = this.columns.get(field);
    if (!c) {
      const read = fieldReader(field);
      const column: Column = { read, codes: [], values: [], codeOf: new Map(), freeCodes: [] };
      column.codes = this.contexts.map((ctx) => encode(column, ctx ? read(ctx) : undefined));
      this.columns.set(field, (c = column));
    }
    return c;
  }

  /** 1 in each row that holds a member. */
  occupied(): Uint8Array {
    const flags = new Uint8Array(this.ids.length);
    for (let r = 0; r < flags.length; r++) flags[r] = this.ids[r] === undefined ? 0 : 1;
    return flags;
  }
}
