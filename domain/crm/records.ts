/**
 * What we send to a CRM, one record per outbound message: the messageId is the
 * record's identity in our delivery layer and comes back on its result.
 */
export interface CrmPerson {
  messageId: string;
  email: string;
  firstName?: string;
  lastName?: string;
  jobTitle?: string;
  score?: number;
  status?: string;
  /** One line: why the score is what it is. */
  summary?: string;
  interests?: string[];
  tags?: string[];
  /** Buying-group role. */
  role?: string;
  companyDomain?: string;
}

export interface CrmCompany {
  messageId: string;
  domain: string;
  name?: string;
}

/** A person (by email) belongs to a company (by domain). */
export interface CrmAssociation {
  messageId: string;
  personEmail: string;
  companyDomain: string;
}

export interface CrmTask {
  messageId: string;
  /** The CRM's own owner id (HubSpot owner, Salesforce user). */
  ownerId?: string;
  subject: string;
  body: string;
}

export type CrmKind = 'hubspot' | 'salesforce' | 'webhook';
