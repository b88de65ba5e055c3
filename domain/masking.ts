import { masksPersonalData, Role } from './roles';

/**
 * What a role sees of personal data: identifiers, names, titles, free-form
 * attributes and event properties, as stored or masked. The one place that
 * decides how each kind is masked; reads pass every such value through it.
 */
export interface PersonalDataView {
  masked: boolean;
  /** An identifier of One ID (email, crmId, leadId, anonymousId). */
  identifier(kind: string, value: string): string;
  /** A name, title, department or seniority. */
  text(value: string): string;
  /** Free-form data from outside (attributes, event properties): keys stay, every value is hidden. */
  freeForm(value: Record<string, unknown>): Record<string, unknown>;
}

const HIDDEN = '***';

/** The company domain stays readable: it names the account, not the person. */
function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${[...local][0] ?? ''}${HIDDEN}@${domain ?? ''}`;
}

function maskText(text: string): string {
  return `${[...text][0] ?? ''}${HIDDEN}`;
}

function maskLeaves(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map(maskLeaves);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskLeaves(v)]));
  return HIDDEN;
}

const AS_STORED: PersonalDataView = { masked: false, identifier: (_kind, value) => value, text: (value) => value, freeForm: (value) => value };

const MASKED: PersonalDataView = {
  masked: true,
  identifier: (kind, value) => (kind === 'email' ? maskEmail(value) : HIDDEN),
  text: maskText,
  freeForm: (value) => maskLeaves(value) as Record<string, unknown>,
};

export function personalDataView(role: Role): PersonalDataView {
  return masksPersonalData(role) ? MASKED : AS_STORED;
}
