/**
 * The Condition language shared by scoring, segments and journey splits
 * (docs/api.md, Conditions). Values are scalars or lists of scalars only: an object can never
 * reach a database query as an operator. Its schema is in ./condition-schema, apart,
 * because workflows evaluate conditions and must not load the validation library.
 */
export const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];

export type Scalar = string | number | boolean;
export type FieldCondition = { field: string; op: Operator; value?: Scalar | Scalar[] };
export type Condition = FieldCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

export const MAX_CONDITION_DEPTH = 6;
export const MAX_LIST_LENGTH = 200;

export type Scope = 'person' | 'account' | 'event';

/** A person's current score and status: segments and journeys may test them, scoring rules may not. */
export const SCORE_FIELDS = ['score', 'status'] as const;

/** Fields a condition may name; `attributes.*` and `properties.*` are free-form. */
export const FIELDS: Record<Scope, { fields: readonly string[]; openPrefix: string }> = {
  person: {
    fields: ['personId', 'email', 'firstName', 'lastName', 'jobTitle', 'department', 'seniority', 'accountKey', 'consent.email', 'consent.tracking', ...SCORE_FIELDS],
    openPrefix: 'attributes.',
  },
  account: {
    fields: ['key', 'name', 'domain', 'industry', 'employees', 'annualRevenue', 'fundingRound', 'country', 'tier', 'ownerId'],
    openPrefix: 'attributes.',
  },
  event: { fields: ['type', 'occurredAt'], openPrefix: 'properties.' },
};

/** Enumerations compared by rank with gt/gte/lt/lte ("funding round ≥ D"). */
export const ORDERED_VALUES: Record<string, readonly string[]> = {
  'account.fundingRound': ['pre-seed', 'seed', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'ipo'],
  'person.seniority': ['intern', 'entry', 'junior', 'senior', 'lead', 'manager', 'director', 'vp', 'c-level', 'owner'],
};

function rank(field: string, value: unknown): number | undefined {
  const order = ORDERED_VALUES[field];
  if (!order || typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase().replace(/^series\s+/, '').replace(/^round\s+/, '');
  const i = order.indexOf(v);
  return i < 0 ? undefined : i;
}

export interface ConditionProblem {
  path: string;
  message: string;
}

/** Problems with the fields a condition names, given the scopes it may see. */
export function checkFields(c: Condition, scopes: readonly Scope[], path = ''): ConditionProblem[] {
  const at = (p: string) => (path ? `${path}.${p}` : p);
  if ('all' in c) return c.all.flatMap((x, i) => checkFields(x, scopes, at(`all.${i}`)));
  if ('any' in c) return c.any.flatMap((x, i) => checkFields(x, scopes, at(`any.${i}`)));
  if ('not' in c) return checkFields(c.not, scopes, at('not'));
  const dot = c.field.indexOf('.');
  const scope = c.field.slice(0, dot) as Scope;
  const name = c.field.slice(dot + 1);
  if (dot < 0 || !scopes.includes(scope)) {
    return [{ path: at('field'), message: `unknown field '${c.field}': use ${scopes.map((s) => `${s}.<name>`).join(' or ')}` }];
  }
  const known = FIELDS[scope];
  const open = name.startsWith(known.openPrefix) && name.length > known.openPrefix.length;
  if (!known.fields.includes(name) && !open) {
    return [{ path: at('field'), message: `unknown field '${c.field}': known are ${known.fields.map((f) => `${scope}.${f}`).join(', ')}, ${scope}.${known.openPrefix}<name>` }];
  }
  if (['gt', 'gte', 'lt', 'lte'].includes(c.op) && typeof c.value === 'string' && ORDERED_VALUES[c.field] && rank(c.field, c.value) === undefined) {
    return [{ path: at('value'), message: `'${c.value}' is not one of ${ORDERED_VALUES[c.field].join(', ')}` }];
  }
  return [];
}

/** Every field a condition names. */
export function fieldsOf(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(fieldsOf);
  if ('any' in c) return c.any.flatMap(fieldsOf);
  if ('not' in c) return fieldsOf(c.not);
  return [c.field];
}

export function conditionDepth(c: Condition): number {
  if ('all' in c) return 1 + Math.max(...c.all.map(conditionDepth));
  if ('any' in c) return 1 + Math.max(...c.any.map(conditionDepth));
  if ('not' in c) return 1 + conditionDepth(c.not);
  return 1;
}

export type ConditionContext = Partial<Record<Scope, Record<string, unknown> | undefined>>;

const norm = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v instanceof Date ? v.toISOString() : v);

function compare(field: string, a: unknown, b: unknown): number | undefined {
  const ra = rank(field, a);
  const rb = rank(field, b);
  if (ra !== undefined && rb !== undefined) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const na = norm(a);
  const nb = norm(b);
  if (typeof na === 'string' && typeof nb === 'string') return na < nb ? -1 : na > nb ? 1 : 0;
  return undefined;
}

type Predicate = (ctx: ConditionContext) => boolean;

/** Compiled once per condition object: a preview evaluates one definition millions of times. */
const compiled = new WeakMap<Condition, Predicate>();

/** Whether the condition holds; strings compare without regard to case. */
export function evaluate(c: Condition, ctx: ConditionContext): boolean {
  let predicate = compiled.get(c);
  if (!predicate) {
    predicate = compile(c);
    compiled.set(c, predicate);
  }
  return predicate(ctx);
}

const isPresent = (v: unknown) => v !== undefined && v !== null && v !== '';

function compile(c: Condition): Predicate {
  if ('all' in c) {
    const parts = c.all.map(compile);
    return (ctx) => parts.every((p) => p(ctx));
  }
  if ('any' in c) {
    const parts = c.any.map(compile);
    return (ctx) => parts.some((p) => p(ctx));
  }
  if ('not' in c) {
    const inner = compile(c.not);
    return (ctx) => !inner(ctx);
  }
  const get = fieldReader(c.field);
  const test = valueTest(c);
  return (ctx) => test(get(ctx));
}

/** Reads a condition's field (`person.attributes.plan`) from a context. */
export function fieldReader(field: string): (ctx: ConditionContext) => unknown {
  const [scope, ...path] = field.split('.');
  return (ctx) => {
    let v: unknown = ctx[scope as Scope];
    for (const p of path) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

/**
 * valueTest, remembering its verdict for each text, number or flag it saw:
 * a column holds few distinct values (titles, industries, pages), so each is
 * tested once. Made anew for each pass over a column.
 */
export function valueTestOncePerValue(c: FieldCondition): (value: unknown) => boolean {
  const test = valueTest(c);
  const verdicts = new Map<unknown, boolean>();
  return (value) => {
    if (typeof value === 'object' && value !== null) return test(value);
    let verdict = verdicts.get(value);
    if (verdict === undefined) verdicts.set(value, (verdict = test(value)));
    return verdict;
  };
}

/** Whether a field's value satisfies the condition: what `evaluate` asks of the value its field reads. */
export function valueTest(c: FieldCondition): (value: unknown) => boolean {
  const want = norm(c.value);
  const equals = (x: unknown) => norm(x) === want;
  const anyOrOne = (a: unknown, test: (x: unknown) => boolean) => (Array.isArray(a) ? a.some(test) : test(a));
  switch (c.op) {
    case 'exists': {
      const expected = c.value === undefined ? true : c.value === true;
      return (a) => isPresent(a) === expected;
    }
    case 'eq':
      return (a) => isPresent(a) && anyOrOne(a, equals);
    case 'ne':
      return (a) => !(isPresent(a) && anyOrOne(a, equals));
    case 'in': {
      const wanted = new Set((c.value as Scalar[]).map(norm));
      return (a) => isPresent(a) && anyOrOne(a, (x) => wanted.has(norm(x)));
    }
    case 'contains': {
      const needle = String(c.value).toLowerCase();
      return (a) => {
        if (Array.isArray(a)) return a.some(equals);
        return typeof a === 'string' && a.toLowerCase().includes(needle);
      };
    }
    default: {
      const op = c.op;
      return (a) => {
        if (!isPresent(a)) return false;
        const d = compare(c.field, a, c.value);
        if (d === undefined) return false;
        return op === 'gt' ? d > 0 : op === 'gte' ? d >= 0 : op === 'lt' ? d < 0 : d <= 0;
      };
    }
  }
}

const OP_TEXT: Record<Operator, string> = { eq: '=', ne: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'in', contains: 'contains', exists: 'exists' };

/** "account.employees > 1000", "subject = 'Product A'": for explanations. */
export function describe(c: Condition): string {
  if ('all' in c) return c.all.map(describe).join(' and ');
  if ('any' in c) return `(${c.any.map(describe).join(' or ')})`;
  if ('not' in c) return `not (${describe(c.not)})`;
  const field = c.field.replace(/^event\.properties\./, '');
  if (c.op === 'exists') return c.value === false ? `no ${field}` : `${field} present`;
  const v = Array.isArray(c.value) ? `[${c.value.map((x) => JSON.stringify(x).replace(/"/g, "'")).join(', ')}]` : typeof c.value === 'string' ? `'${c.value}'` : String(c.value);
  return `${field} ${OP_TEXT[c.op]} ${v}`;
}
