const csvCell = (v: unknown) => {
  const text = v === undefined || v === null ? '' : String(v);
  // A cell a spreadsheet would run as a formula is kept as text.
  const s = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One CSV line of the given columns of a row (RFC 4180 quoting). */
export const csvLine = (columns: readonly string[], row: Record<string, unknown>) => columns.map((c) => csvCell(row[c])).join(',');
