import { csvRecords, CsvError } from './csv';

/**
 * How an uploaded file becomes stored chunks and how a CSV row becomes the
 * same JSON shape the API takes. Pure: the API splits, the import activity maps.
 */
export const IMPORT_KINDS = ['accounts', 'people', 'events'] as const;
export const IMPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const IMPORT_LIMITS = {
  rows: 1_000_000,
  rowsPerChunk: 500,
  /** Chunk documents stay far below the 16 MB document limit. */
  chunkChars: 4_000_000,
  rowChars: 1_000_000,
};

/** Plain columns per kind; `prefix.name` columns fill a nested object. */
export const CSV_COLUMNS: Record<ImportKind, { plain: readonly string[]; required: readonly string[]; nested?: string; numbers?: readonly string[] }> = {
  accounts: {
    plain: ['accountKey', 'name', 'domain', 'industry', 'employees', 'annualRevenue', 'fundingRound', 'country', 'tier', 'ownerId'],
    required: ['accountKey', 'name'],
    nested: 'attributes',
    numbers: ['employees', 'annualRevenue'],
  },
  people: { plain: ['email', 'firstName', 'lastName', 'jobTitle', 'department', 'seniority', 'accountKey'], required: ['email'], nested: 'attributes' },
  events: {
    plain: ['eventId', 'type', 'occurredAt', 'email', 'anonymousId', 'crmId', 'leadId', 'accountKey'],
    required: ['eventId', 'type', 'occurredAt'],
    nested: 'properties',
  },
};
const PERSON_COLUMNS = ['email', 'anonymousId', 'crmId', 'leadId'];

/** A file that cannot be imported at all (as opposed to a bad row). */
export class ImportFileError extends Error {}

export interface StoredChunk {
  /** Row number (1-based, header not counted) of the first row. */
  firstRow: number;
  /** Line of the file each row starts on. */
  lines: number[];
  /** NDJSON: the line as sent; CSV: the row's values as a JSON array (no nested arrays in the database). */
  rows: string[];
}

export interface SplitFile {
  columns?: string[];
  total: number;
  chunks: StoredChunk[];
}

export function checkCsvHeader(kind: ImportKind, columns: string[]): void {
  const spec = CSV_COLUMNS[kind];
  const seen = new Set<string>();
  for (const column of columns) {
    const nested = spec.nested && column.startsWith(`${spec.nested}.`) && column.length > spec.nested.length + 1;
    if (!nested && !spec.plain.includes(column)) {
      throw new ImportFileError(`unknown column '${column}' in the header; ${kind} take ${spec.plain.join(', ')}${spec.nested ? ` and ${spec.nested}.<name>` : ''}`);
    }
    if (seen.has(column)) throw new ImportFileError(`column '${column}' appears twice in the header`);
    seen.add(column);
  }
  const missing = spec.required.filter((c) => !seen.has(c));
  if (missing.length) throw new ImportFileError(`the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
}

function* ndjsonRows(text: string): Generator<{ line: number; text: string }> {
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const row = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (row.trim()) yield { line, text: row };
  }
}

/** Splits the file into chunks of rows; throws ImportFileError for a file that is unusable as a whole. */
export function splitImportFile(kind: ImportKind, format: ImportFormat, body: string): SplitFile {
  // Spreadsheets save a byte-order mark; it is not part of the first column's name.
  const text = body.startsWith('\uFEFF') ? body.slice(1) : body;
  const nul = text.indexOf('\u0000');
  if (nul >= 0) throw new ImportFileError(`contains a NUL character (line ${text.slice(0, nul).split('\n').length}); send UTF-8 text, not UTF-16 or binary`);
  const chunks: StoredChunk[] = [];
  let current: StoredChunk | undefined;
  let chars = 0;
  let total = 0;
  let columns: string[] | undefined;
  const add = (line: number, row: string) => {
    if (row.length > IMPORT_LIMITS.rowChars) throw new ImportFileError(`the row on line ${line} is longer than ${IMPORT_LIMITS.rowChars} characters`);
    if (++total > IMPORT_LIMITS.rows) throw new ImportFileError(`has more than ${IMPORT_LIMITS.rows} rows; split the file`);
    if (!current || current.rows.length >= IMPORT_LIMITS.rowsPerChunk || chars + row.length > IMPORT_LIMITS.chunkChars) {
      current = { firstRow: total, lines: [], rows: [] };
      chunks.push(current);
      chars = 0;
    }
    current.rows.push(row);
    current.lines.push(line);
    chars += row.length;
  };
  if (format === 'ndjson') {
    for (const r of ndjsonRows(text)) add(r.line, r.text);
  } else {
    try {
      for (const record of csvRecords(text)) {
        if (!columns) {
          columns = record.values.map((c) => c.trim());
          checkCsvHeader(kind, columns);
        } else add(record.line, JSON.stringify(record.values));
      }
    } catch (err) {
      if (err instanceof CsvError) throw new ImportFileError(`is not valid CSV: ${err.message}`);
      throw err;
    }
  }
  if (total === 0) throw new ImportFileError(columns ? 'has a header but no rows' : 'has no rows');
  return { columns, total, chunks };
}

/** A CSV row as the JSON object the API takes; empty cells are left out, so optional fields stay optional. */
export function csvRowToObject(kind: ImportKind, columns: string[], values: string[]): { value?: Record<string, unknown>; error?: string } {
  const extra = values.slice(columns.length);
  if (values.length < columns.length || extra.some((v) => v !== '')) {
    return { error: `has ${values.length} values, the header has ${columns.length} columns` };
  }
  const spec = CSV_COLUMNS[kind];
  const out: Record<string, unknown> = {};
  const nested: Record<string, unknown> = {};
  const person: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    const v = values[i];
    if (v === '') return;
    if (spec.nested && column.startsWith(`${spec.nested}.`)) nested[column.slice(spec.nested.length + 1)] = v;
    else if (kind === 'events' && PERSON_COLUMNS.includes(column)) person[column] = v;
    // A number that does not read as one stays text, so validation names the column.
    else if (spec.numbers?.includes(column)) out[column] = /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
    else out[column] = v;
  });
  if (spec.nested && Object.keys(nested).length) out[spec.nested] = nested;
  if (kind === 'events') out.person = person;
  return { value: out };
}

/** The CSV column a validation path points at (`person.email` is the `email` column). */
export function csvColumnOf(kind: ImportKind, path: string): string {
  return kind === 'events' && path.startsWith('person.') ? path.slice('person.'.length) : path;
}
