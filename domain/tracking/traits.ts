import { findUnsafeValue } from '../safe-document';
import { Json, Refused } from './message';

/** What a message sets on a person or an account: top-level fields and free-form attributes. */
export interface FieldUpdate {
  fields: Record<string, string | number>;
  attributes: Record<string, unknown>;
}

/** Person fields by trait name (the spec's names and their snake_case forms); `title` is a job title. */
const PERSON_FIELDS: Record<string, string> = {
  firstName: 'firstName', first_name: 'firstName',
  lastName: 'lastName', last_name: 'lastName',
  title: 'jobTitle', jobTitle: 'jobTitle', job_title: 'jobTitle',
  department: 'department', seniority: 'seniority',
};

/** Account fields by group trait name; `website` gives the domain when there is none. */
const ACCOUNT_TEXT: Record<string, string> = { name: 'name', domain: 'domain', industry: 'industry', fundingRound: 'fundingRound', funding_round: 'fundingRound', country: 'country', tier: 'tier' };
const ACCOUNT_NUMBERS: Record<string, string> = { employees: 'employees', employee_count: 'employees', annualRevenue: 'annualRevenue', annual_revenue: 'annualRevenue' };

/** Traits that are identifiers or are read for another field, never attributes. */
const PERSON_CONSUMED = new Set(['email', 'name', 'id', 'userId']);
const ACCOUNT_CONSUMED = new Set(['website', 'address', 'id', 'groupId', 'ownerId']);

const text = (v: unknown) => (typeof v === 'string' ? v.trim() || undefined : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

function number(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function storable(attributes: Json, path: string): Json {
  const bad = findUnsafeValue(attributes, path);
  if (bad) throw new Refused(bad.path, bad.message);
  return attributes;
}

/**
 * identify traits → person fields (firstName, lastName, jobTitle from
 * `title`, department, seniority; a full `name` gives first and last when
 * they are missing) and attributes (everything else: phone, plan, company...).
 * The email is an identifier, joined through One ID, not set here.
 */
export function personTraits(traits: Json, path = 'traits'): FieldUpdate {
  storable(traits, path);
  const fields: Record<string, string> = {};
  const attributes: Json = {};
  for (const [key, value] of Object.entries(traits)) {
    const field = PERSON_FIELDS[key];
    const t = field ? text(value) : undefined;
    if (field && t) fields[field] = t;
    else if (!PERSON_CONSUMED.has(key) && !field && value !== undefined) attributes[key] = value;
  }
  const full = text(traits.name);
  if (full && !fields.firstName && !fields.lastName) {
    const [first, ...rest] = full.split(/\s+/);
    fields.firstName = first;
    if (rest.length) fields.lastName = rest.join(' ');
  }
  return { fields, attributes: storable(attributes, path) };
}

/** The host of a website trait ("https://www.acme.com/about" → acme.com). */
export function domainOf(website: unknown): string | undefined {
  const t = text(website);
  if (!t) return undefined;
  try {
    return new URL(/^[a-z]+:\/\//i.test(t) ? t : `https://${t}`).hostname.replace(/^www\./, '').toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * group traits → account fields (name, domain or the website's host,
 * industry, employees, annualRevenue, fundingRound, country or the address's,
 * tier) and attributes (plan and everything else). Never the owner: who
 * owns an account is not a source's decision.
 */
export function accountTraits(traits: Json, path = 'traits'): FieldUpdate {
  storable(traits, path);
  const fields: Record<string, string | number> = {};
  const attributes: Json = {};
  for (const [key, value] of Object.entries(traits)) {
    if (ACCOUNT_TEXT[key] && text(value)) fields[ACCOUNT_TEXT[key]] = text(value)!;
    else if (ACCOUNT_NUMBERS[key] && number(value) !== undefined) fields[ACCOUNT_NUMBERS[key]] = number(value)!;
    else if (!ACCOUNT_CONSUMED.has(key) && !ACCOUNT_TEXT[key] && !ACCOUNT_NUMBERS[key] && value !== undefined) attributes[key] = value;
  }
  if (!fields.domain && domainOf(traits.website)) fields.domain = domainOf(traits.website)!;
  const address = traits.address;
  if (!fields.country && address && typeof address === 'object' && text((address as Json).country)) fields.country = text((address as Json).country)!;
  return { fields, attributes: storable(attributes, path) };
}
