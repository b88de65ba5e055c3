import { normalizeEmail } from '../identity';
import type { CrmCompany, CrmPerson } from './records';

export const PERSON_FIELDS = ['email', 'firstName', 'lastName', 'jobTitle', 'score', 'status', 'summary', 'interests', 'tags', 'role', 'companyDomain'] as const;
export const COMPANY_FIELDS = ['domain', 'name'] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];
export type CompanyField = (typeof COMPANY_FIELDS)[number];

/**
 * Our field → the CRM's property. A field mapped to '' is not sent. HubSpot
 * upserts by the email and domain properties; Salesforce by external id fields
 * (unique, marked External ID) holding the normalised email (Lead) and domain
 * (Account): the keys API.md names, stable across our own merges of people.
 */
export interface CrmMapping {
  person: Record<PersonField, string>;
  company: Record<CompanyField, string>;
  externalId: { person: string; company: string };
}

/** What a connection may override: any subset. */
export interface CrmMappingInput {
  person?: Partial<Record<string, string>>;
  company?: Partial<Record<string, string>>;
  externalId?: { person?: string; company?: string };
}

const HUBSPOT: CrmMapping = {
  person: {
    email: 'email', firstName: 'firstname', lastName: 'lastname', jobTitle: 'jobtitle',
    score: 'b2b_score', status: 'b2b_status', summary: 'b2b_summary', interests: 'b2b_interests', tags: 'b2b_tags', role: 'b2b_role',
    // HubSpot links a contact to its company by association, not by a property.
    companyDomain: '',
  },
  company: { domain: 'domain', name: 'name' },
  externalId: { person: '', company: '' },
};

const SALESFORCE: CrmMapping = {
  person: {
    email: 'Email', firstName: 'FirstName', lastName: 'LastName', jobTitle: 'Title',
    score: 'B2B_Score__c', status: 'B2B_Status__c', summary: 'B2B_Summary__c', interests: 'B2B_Interests__c', tags: 'B2B_Tags__c', role: 'B2B_Role__c',
    companyDomain: 'Company',
  },
  company: { domain: 'Website', name: 'Name' },
  externalId: { person: 'B2B_Person_Id__c', company: 'B2B_Company_Domain__c' },
};

/** The defaults of a CRM with a connection's overrides; an unknown field or a non-text property is an error naming it. */
export function crmMapping(kind: 'hubspot' | 'salesforce', input: CrmMappingInput = {}): CrmMapping {
  const base = kind === 'hubspot' ? HUBSPOT : SALESFORCE;
  const merged: CrmMapping = {
    person: { ...base.person, ...checked('mapping.person', input.person, PERSON_FIELDS) },
    company: { ...base.company, ...checked('mapping.company', input.company, COMPANY_FIELDS) },
    externalId: { ...base.externalId, ...input.externalId },
  };
  if (!merged.person.email) throw new Error('mapping.person.email: the email property is the upsert key and cannot be left out');
  if (!merged.company.domain) throw new Error('mapping.company.domain: the domain property is the upsert key and cannot be left out');
  if (kind === 'salesforce') {
    for (const which of ['person', 'company'] as const) {
      if (!/^\w+$/.test(merged.externalId[which] ?? '')) throw new Error(`mapping.externalId.${which}: must be a Salesforce field name`);
    }
  }
  return merged;
}

function checked(where: string, overrides: Partial<Record<string, string>> | undefined, known: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, property] of Object.entries(overrides ?? {})) {
    if (!known.includes(field)) throw new Error(`${where}.${field}: unknown field (known: ${known.join(', ')})`);
    if (typeof property !== 'string' || (property !== '' && !/^[\w.-]+$/.test(property))) throw new Error(`${where}.${field}: must be a property name, or '' to leave it out`);
    out[field] = property;
  }
  return out;
}

/** Lists travel as `a;b;c`: the value format of HubSpot multi-checkbox and Salesforce multi-select picklist fields. */
const text = (value: string | number | string[] | undefined): string | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value.join(';') : String(value);

/** The mapped properties of a person, as text (HubSpot takes every property value as a string). */
export function personProperties(person: CrmPerson, mapping: CrmMapping): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of PERSON_FIELDS) {
    const property = mapping.person[field];
    const value = field === 'email' ? normalizeEmail(person.email) : text(person[field]);
    if (property && value !== undefined) out[property] = value;
  }
  return out;
}

export function companyProperties(company: CrmCompany, mapping: CrmMapping): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of COMPANY_FIELDS) {
    const property = mapping.company[field];
    const value = field === 'domain' ? normalizeDomain(company.domain) : company[field];
    if (property && value !== undefined) out[property] = value;
  }
  return out;
}

/** Salesforce requires LastName and Company on a Lead; its own placeholder for an unknown value is '[not provided]'. */
export const NOT_PROVIDED = '[not provided]';

/** A Salesforce Lead: the mapped properties, the score as a number, the required fields filled, keyed by the external id. */
export function salesforceLead(person: CrmPerson, mapping: CrmMapping): Record<string, string | number> {
  const lead: Record<string, string | number> = { ...personProperties(person, mapping) };
  if (mapping.person.score && person.score !== undefined) lead[mapping.person.score] = person.score;
  lead.LastName ??= NOT_PROVIDED;
  lead.Company ??= NOT_PROVIDED;
  lead[mapping.externalId.person] = normalizeEmail(person.email);
  return lead;
}

/** A Salesforce Account: Name is required, the domain stands in for a missing one. */
export function salesforceAccount(company: CrmCompany, mapping: CrmMapping): Record<string, string> {
  const account = companyProperties(company, mapping);
  account.Name ??= normalizeDomain(company.domain);
  account[mapping.externalId.company] = normalizeDomain(company.domain);
  return account;
}

export const normalizeDomain = (domain: string) => domain.trim().toLowerCase().replace(/^www\./, '');
