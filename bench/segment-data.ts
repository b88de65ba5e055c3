// The data of the segments scenario and a plain evaluator over it. The data is
// what the engine itself would have stored (people with their recentEvents and
// score, accounts, raw interactions), made by a seeded PRNG so runs compare.
// The evaluator is written here on purpose, not imported from domain/segments:
// a straightforward full scan in Node that doubles as a cross-check of the
// engine's counts.

const DAY = 86_400_000;

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The three pages of the seed's "circle selection"; seven more are visited too. */
export const CIRCLE_URLS = ['/pricing', '/product-a', '/demo'];
const OTHER_URLS = ['/', '/blog', '/about', '/careers', '/docs', '/product-b', '/contact'];
// "Product Analytics" contains "Product A" without case: substring semantics, on purpose.
const SUBJECTS = ['Product A launch', 'Product B news', 'Product C webinar', 'Product Analytics tips', 'Monthly newsletter', 'Event invitation', 'Customer story', 'Your account'];
const INDUSTRIES = ['Software', 'Manufacturing', 'Finance', 'Retail', 'Healthcare'];
const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'NL', 'ES'];
const FIRST_NAMES = ['Ann', 'Ben', 'Chen', 'Dana', 'Emil', 'Fatima', 'Gus', 'Hana', 'Ivo', 'Jun'];
// [jobTitle, department, seniority, weight]. "Director" and "Sector" contain "cto" without case.
const ROLES: [string, string, string, number][] = [
  ['CTO', 'IT', 'c-level', 1],
  ['Deputy CTO', 'IT', 'vp', 1],
  ['CTO Office Analyst', 'IT', 'junior', 2],
  ['Director of Marketing', 'Marketing', 'director', 2],
  ['Sector Manager', 'Sales', 'manager', 4],
  ['Chief Technology Officer', 'IT', 'c-level', 1],
  ['VP Engineering', 'IT', 'vp', 3],
  ['Software Engineer', 'IT', 'senior', 25],
  ['Marketing Manager', 'Marketing', 'manager', 15],
  ['Account Executive', 'Sales', 'entry', 15],
  ['Team Lead Operations', 'Operations', 'lead', 10],
  ['Purchasing Specialist', 'Procurement', 'junior', 14],
  ['Intern', 'Marketing', 'intern', 5],
  ['Owner', 'Management', 'owner', 2],
];
// [type, weight]
const TYPES: [string, number][] = [
  ['email_open', 40],
  ['web_visit', 32],
  ['form_submit', 12],
  ['purchase', 10],
  ['whitepaper_download', 4],
];

export const EVENTS_PER_PERSON = 10;
export const PEOPLE_PER_ACCOUNT = 10;

export interface SeedAccount {
  _id: string;
  name: string;
  domain: string;
  industry: string;
  employees: number;
  country: string;
  attributes: Record<string, unknown>;
}

export interface SeedInteraction {
  _id: string;
  type: string;
  occurredAt: Date;
  receivedAt: Date;
  personId: string;
  accountKey: string;
  properties: Record<string, unknown>;
}

export interface SeedPerson {
  _id: string;
  email: string;
  firstName: string;
  jobTitle: string;
  department: string;
  seniority: string;
  accountKey: string;
  attributes: Record<string, unknown>;
  score: { total: number; fit: number; behavior: number; status: 'nurture' | 'qualified' | 'discarded'; modelVersion: number; breakdown: unknown[] };
  scoreModelVersion: number;
  activity: { total: number; byType: Record<string, number> };
  lastActivityAt: Date;
}

export interface SeedData {
  accounts: SeedAccount[];
  people: SeedPerson[];
  /** Person by person, oldest first within a person. */
  interactions: SeedInteraction[];
}

function weighted<T>(rand: () => number, items: readonly [...unknown[], number][]): T {
  const total = items.reduce((s, i) => s + (i[i.length - 1] as number), 0);
  let r = rand() * total;
  for (const item of items) if ((r -= item[item.length - 1] as number) < 0) return item as unknown as T;
  return items[items.length - 1] as unknown as T;
}

/**
 * Age of an event in days. One person in twenty is "hot" (active in the last
 * month); the rest spread over the year with more weight on recent weeks.
 * Ages are whole days plus 6 to 18 hours: no event lies within 6 hours of a
 * P7D/P30D/P90D boundary, so the engine's preview and this evaluator, run
 * minutes apart, count the same events.
 */
function ageMs(rand: () => number, hot: boolean): number {
  const days = hot && rand() < 0.8 ? Math.floor(rand() * 30) : Math.floor(364 * rand() ** 1.25);
  return days * DAY + (0.25 + rand() * 0.5) * DAY;
}

function properties(rand: () => number, type: string): Record<string, unknown> {
  switch (type) {
    case 'email_open':
      return { subject: SUBJECTS[Math.floor(rand() * SUBJECTS.length)], campaignId: `c-${Math.floor(rand() * 20)}` };
    case 'web_visit':
      // The three circle pages get 6% of the visits.
      return { url: rand() < 0.06 ? CIRCLE_URLS[Math.floor(rand() * 3)] : OTHER_URLS[Math.floor(rand() * OTHER_URLS.length)] };
    case 'purchase':
      return { product: 'ABC'[Math.floor(rand() * 3)], amount: 100 + Math.floor(rand() * 900) };
    case 'whitepaper_download':
      return { asset: `whitepaper-${Math.floor(rand() * 5)}` };
    default:
      return { formId: `form-${Math.floor(rand() * 4)}` };
  }
}

/** `people` people over people/10 accounts, EVENTS_PER_PERSON interactions each, as of `now`. */
export function generate(people: number, now: number, seed = 20261123): SeedData {
  const rand = mulberry32(seed);
  const accounts: SeedAccount[] = Array.from({ length: Math.max(1, Math.ceil(people / PEOPLE_PER_ACCOUNT)) }, (_, i) => ({
    _id: `seg-acct-${i}`,
    name: `Segment Bench ${i}`,
    domain: `seg-acct-${i}.example.com`,
    industry: INDUSTRIES[Math.floor(rand() * INDUSTRIES.length)],
    employees: Math.floor(10 + 20000 * rand() ** 3),
    country: COUNTRIES[Math.floor(rand() * COUNTRIES.length)],
    attributes: {},
  }));
  const interactions: SeedInteraction[] = [];
  const list: SeedPerson[] = [];
  for (let n = 0; n < people; n++) {
    const account = accounts[Math.floor(rand() * accounts.length)];
    const [jobTitle, department, seniority] = weighted<[string, string, string]>(rand, ROLES);
    const hot = rand() < 0.05;
    const personId = `segp_${n}`;
    const ages = Array.from({ length: EVENTS_PER_PERSON }, () => ageMs(rand, hot)).sort((a, b) => b - a);
    const byType: Record<string, number> = {};
    let last30 = 0;
    ages.forEach((age, k) => {
      const [type] = weighted<[string]>(rand, TYPES);
      const occurredAt = new Date(now - age);
      byType[type] = (byType[type] ?? 0) + 1;
      if (age < 30 * DAY) last30++;
      interactions.push({ _id: `sege_${n}_${k}`, type, occurredAt, receivedAt: new Date(occurredAt.getTime() + 1000), personId, accountKey: account._id, properties: properties(rand, type) });
    });
    // A score the engine could have given: fit from the role, behaviour from the last month.
    const fit = [0, 0, 10, 20, 30][Math.floor(rand() * 5)];
    const behavior = Math.min(50, last30 * 4);
    const total = fit + behavior;
    const status = rand() < 0.04 ? 'discarded' : total >= 60 ? 'qualified' : 'nurture';
    list.push({
      _id: personId,
      email: `p${n}@${account.domain}`,
      firstName: FIRST_NAMES[n % FIRST_NAMES.length],
      jobTitle,
      department,
      seniority,
      accountKey: account._id,
      attributes: {},
      score: { total, fit, behavior, status, modelVersion: 1, breakdown: [] },
      scoreModelVersion: 1,
      activity: { total: EVENTS_PER_PERSON, byType },
      lastActivityAt: new Date(now - ages[ages.length - 1]),
    });
  }
  return { accounts, people: list, interactions };
}

/** The stored person document: the person plus its interactions as recentEvents (all are within 365 days). */
export function personDocument(p: SeedPerson, events: readonly SeedInteraction[]): Record<string, unknown> {
  const recentEvents = events.map((e) => ({ eventId: e._id, type: e.type, occurredAt: e.occurredAt.toISOString(), properties: e.properties }));
  return { ...p, recentEvents, createdAt: p.lastActivityAt, updatedAt: p.lastActivityAt };
}

// ---------------------------------------------------------------------------
// The plain evaluator: the definition language of docs/api.md, nothing shared with the engine.

type Scalar = string | number | boolean;
export type FieldCond = { field: string; op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'contains' | 'exists'; value?: Scalar | Scalar[] };
export type Performed = { performed: string; where?: Definition; minCount?: number; within: string };
export type Definition = FieldCond | Performed | { all: Definition[] } | { any: Definition[] } | { not: Definition } | { people: Definition; minCount?: number };

const RANKS: Record<string, string[]> = {
  'person.seniority': ['intern', 'entry', 'junior', 'senior', 'lead', 'manager', 'director', 'vp', 'c-level', 'owner'],
  'account.fundingRound': ['pre-seed', 'seed', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'ipo'],
};

function windowMs(iso: string): number {
  const m = /^P(\d+)([DWMY])$/.exec(iso);
  if (!m) throw new Error(`the bench evaluator reads PnD/PnW/PnM/PnY only, not ${iso}`);
  return Number(m[1]) * { D: 1, W: 7, M: 30, Y: 365 }[m[2] as 'D']! * DAY;
}

interface Row {
  person?: SeedPerson;
  account?: SeedAccount;
  event?: SeedInteraction;
}

function valueOf(row: Row, field: string): unknown {
  const [scope, ...path] = field.split('.');
  if (scope === 'person' && row.person) {
    if (path[0] === 'score' && path.length === 1) return row.person.score.total;
    if (path[0] === 'status' && path.length === 1) return row.person.score.status;
    if (path[0] === 'personId') return row.person._id;
  }
  if (scope === 'account' && path[0] === 'key' && row.account) return row.account._id;
  let v: unknown = row[scope as keyof Row];
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

const low = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);

function holds(c: FieldCond, row: Row): boolean {
  const v = valueOf(row, c.field);
  const present = v !== undefined && v !== null && v !== '';
  if (c.op === 'exists') return present === (c.value === undefined || c.value === true);
  if (c.op === 'ne') return !holds({ ...c, op: 'eq' }, row);
  if (!present) return false;
  if (c.op === 'eq') return low(v) === low(c.value);
  if (c.op === 'in') return (c.value as Scalar[]).some((x) => low(x) === low(v));
  if (c.op === 'contains') return typeof v === 'string' && v.toLowerCase().includes(String(c.value).toLowerCase());
  const ranks = RANKS[c.field] ?? [];
  const [rv, rw] = [ranks.indexOf(String(low(v))), ranks.indexOf(String(low(c.value)))];
  let d: number;
  if (rv >= 0 && rw >= 0) d = rv - rw;
  else if (typeof v === 'number' && typeof c.value === 'number') d = v - c.value;
  else if (typeof v === 'string' && typeof c.value === 'string') {
    const [a, b] = [v.trim().toLowerCase(), c.value.trim().toLowerCase()];
    d = a < b ? -1 : a > b ? 1 : 0;
  } else return false;
  return { gt: d > 0, gte: d >= 0, lt: d < 0, lte: d <= 0 }[c.op as 'gt'];
}

/**
 * Counts the people (or accounts) a definition matches at `now`: one pass over
 * all interactions counts, for every `performed` in the definition, each
 * person's events of that type in the window (occurredAt in (now - within, now])
 * that satisfy `where`; then a pass over people (and accounts) decides.
 */
export function countMatches(level: 'person' | 'account', def: Definition, data: SeedData, now: number): number {
  const performed: Performed[] = [];
  const collect = (d: Definition): void => {
    if ('all' in d) d.all.forEach(collect);
    else if ('any' in d) d.any.forEach(collect);
    else if ('not' in d) collect(d.not);
    else if ('people' in d) collect(d.people);
    else if ('performed' in d) performed.push(d);
  };
  collect(def);

  const personIndex = new Map(data.people.map((p, i) => [p._id, i]));
  const accountByKey = new Map(data.accounts.map((a) => [a._id, a]));
  const counts = performed.map(() => new Uint16Array(data.people.length));
  if (performed.length) {
    const windows = performed.map((p) => windowMs(p.within));
    for (const e of data.interactions) {
      const t = e.occurredAt.getTime();
      if (t > now) continue;
      for (let k = 0; k < performed.length; k++) {
        const p = performed[k];
        if (e.type !== p.performed || t <= now - windows[k]) continue;
        const i = personIndex.get(e.personId)!;
        const person = data.people[i];
        if (p.where && !matches(p.where, { event: e, person, account: accountByKey.get(person.accountKey) }, i)) continue;
        counts[k][i]++;
      }
    }
  }

  function matches(d: Definition, row: Row, i: number): boolean {
    if ('all' in d) return d.all.every((x) => matches(x, row, i));
    if ('any' in d) return d.any.some((x) => matches(x, row, i));
    if ('not' in d) return !matches(d.not, row, i);
    if ('performed' in d) return counts[performed.indexOf(d)][i] >= (d.minCount ?? 1);
    if ('people' in d) throw new Error('`people` is for account definitions');
    return holds(d, row);
  }

  const personMatches = (d: Definition, i: number) => {
    const person = data.people[i];
    return matches(d, { person, account: accountByKey.get(person.accountKey) }, i);
  };
  if (level === 'person') {
    let n = 0;
    for (let i = 0; i < data.people.length; i++) if (personMatches(def, i)) n++;
    return n;
  }

  // Account level: for each `people` part, how many of each account's people match it.
  const accountIndex = new Map(data.accounts.map((a, j) => [a._id, j]));
  const peopleCounts = new Map<Definition, Uint32Array>();
  const countPeople = (d: Definition): void => {
    if ('all' in d) d.all.forEach(countPeople);
    else if ('any' in d) d.any.forEach(countPeople);
    else if ('not' in d) countPeople(d.not);
    else if ('people' in d) {
      const c = new Uint32Array(data.accounts.length);
      for (let i = 0; i < data.people.length; i++) if (personMatches(d.people, i)) c[accountIndex.get(data.people[i].accountKey)!]++;
      peopleCounts.set(d, c);
    }
  };
  countPeople(def);
  const accountMatches = (d: Definition, j: number): boolean => {
    if ('all' in d) return d.all.every((x) => accountMatches(x, j));
    if ('any' in d) return d.any.some((x) => accountMatches(x, j));
    if ('not' in d) return !accountMatches(d.not, j);
    if ('people' in d) return peopleCounts.get(d)![j] >= (d.minCount ?? 1);
    if ('performed' in d) throw new Error('`performed` needs `people` in account definitions');
    return holds(d, { account: data.accounts[j] });
  };
  let n = 0;
  for (let j = 0; j < data.accounts.length; j++) if (accountMatches(def, j)) n++;
  return n;
}
