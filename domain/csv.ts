/**
 * A small RFC 4180 reader: comma-separated, fields quoted with `"` may hold
 * commas, line breaks and doubled quotes; lines end in LF, CRLF or CR. Blank
 * lines are skipped. It is lenient where spreadsheets are sloppy (a quote in
 * the middle of an unquoted field is kept as text) and strict only where the
 * rest of the file would be misread: an unterminated quote.
 */
export interface CsvRecord {
  values: string[];
  /** 1-based line of the file where the record starts (records may span lines). */
  line: number;
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Yields records one by one, so a large file is never held twice as arrays. */
export function* csvRecords(text: string): Generator<CsvRecord> {
  let values: string[] = [];
  let field = '';
  let quoted = false;
  let anyQuoted = false;
  let line = 1;
  let start = 1;
  let quoteLine = 0;
  const take = (): CsvRecord | undefined => {
    values.push(field);
    const blank = values.length === 1 && values[0] === '' && !anyQuoted;
    const record = blank ? undefined : { values, line: start };
    values = [];
    field = '';
    anyQuoted = false;
    return record;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') {
        if (c === '\n') line++;
        field += c;
      } else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        quoted = false;
      }
    } else if (c === '"' && field === '') {
      quoted = anyQuoted = true;
      quoteLine = line;
    } else if (c === ',') {
      values.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      const record = take();
      line++;
      start = line;
      if (record) yield record;
    } else {
      field += c;
    }
  }
  if (quoted) throw new CsvError(`a quoted field opened on line ${quoteLine} is never closed`, quoteLine);
  if (field !== '' || values.length > 0 || anyQuoted) {
    const record = take();
    if (record) yield record;
  }
}

export function parseCsv(text: string): CsvRecord[] {
  return [...csvRecords(text)];
}
