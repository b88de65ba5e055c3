import type { ZodError } from 'zod';
import { AccountInput } from '../api/schemas/accounts';
import { Key } from '../api/schemas/common';
import { Event } from '../api/schemas/events';
import { EmailParams, PersonInput } from '../api/schemas/people';
import { csvColumnOf, csvRowToObject, ImportFormat, ImportKind } from '../domain/import-file';
import type { IncomingEvent } from './ingest-events';

/**
 * Validates import rows with the very schemas the API uses for the same
 * records, so a row is accepted by an import exactly when the equivalent
 * API call would accept it.
 */
export interface RowError {
  row: number;
  line: number;
  field?: string;
  message: string;
}

export interface RawRow {
  row: number;
  line: number;
  text: string;
}

export type AccountRow = { accountKey: string; input: (typeof AccountInput)['_output'] };
export type PersonRow = { email: string; input: (typeof PersonInput)['_output'] };
export type RowValue = { kind: 'accounts'; value: AccountRow } | { kind: 'people'; value: PersonRow } | { kind: 'events'; value: IncomingEvent };

/** A row with many problems is named for the first few; it counts once as failed. */
const ERRORS_PER_ROW = 5;

type Issue = { field?: string; message: string };

function issuesOf(err: ZodError, prefix: string[] = []): Issue[] {
  return err.issues.map((i) => {
    // An unknown field is named itself, not its parent object.
    const keys = i.code === 'unrecognized_keys' ? [i.keys[0]] : [];
    const path = [...prefix, ...i.path.map(String), ...keys].join('.');
    return { field: path || undefined, message: i.message };
  });
}

function objectOf(format: ImportFormat, kind: ImportKind, columns: string[] | undefined, text: string): { value?: Record<string, unknown>; error?: string } {
  if (format === 'csv') return csvRowToObject(kind, columns ?? [], JSON.parse(text) as string[]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: `is not valid JSON (${(err as Error).message})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'is not a JSON object' };
  return { value: parsed as Record<string, unknown> };
}

function validate(kind: ImportKind, obj: Record<string, unknown>): { value?: RowValue; issues: Issue[] } {
  if (kind === 'events') {
    const e = Event.safeParse(obj);
    return e.success ? { value: { kind, value: e.data }, issues: [] } : { issues: issuesOf(e.error) };
  }
  if (kind === 'accounts') {
    const { accountKey, ...rest } = obj;
    const key = Key.safeParse(accountKey);
    const input = AccountInput.safeParse(rest);
    const issues = [...(key.success ? [] : issuesOf(key.error, ['accountKey'])), ...(input.success ? [] : issuesOf(input.error))];
    return key.success && input.success ? { value: { kind, value: { accountKey: key.data, input: input.data } }, issues } : { issues };
  }
  const { email, ...rest } = obj;
  const address = EmailParams.shape.email.safeParse(email);
  const input = PersonInput.safeParse(rest);
  const issues = [...(address.success ? [] : issuesOf(address.error, ['email'])), ...(input.success ? [] : issuesOf(input.error))];
  return address.success && input.success ? { value: { kind, value: { email: address.data, input: input.data } }, issues } : { issues };
}

export function parseRow(kind: ImportKind, format: ImportFormat, columns: string[] | undefined, raw: RawRow): { value?: RowValue; errors: RowError[] } {
  const at = { row: raw.row, line: raw.line };
  const obj = objectOf(format, kind, columns, raw.text);
  if (!obj.value) return { errors: [{ ...at, message: `row ${obj.error}` }] };
  const { value, issues } = validate(kind, obj.value);
  if (value) return { value, errors: [] };
  return {
    errors: issues.slice(0, ERRORS_PER_ROW).map((i) => ({
      ...at,
      ...(i.field ? { field: format === 'csv' ? csvColumnOf(kind, i.field) : i.field } : {}),
      message: i.message,
    })),
  };
}
