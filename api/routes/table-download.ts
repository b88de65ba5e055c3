import type { Response } from 'express';

export const TABLE_FORMATS = ['csv', 'ndjson'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

const csvCell = (v: unknown) => {
  const text = v === undefined || v === null ? '' : String(v);
  // A cell a spreadsheet would run as a formula is kept as text.
  const s = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * A table streamed as a download, CSV (RFC 4180, header line) or NDJSON: rows
 * are written as they come, waiting when the client reads slowly, so an export
 * never holds the whole audience in memory.
 */
export async function tableDownload(res: Response, opts: { format: TableFormat; filename: string; columns: readonly string[] }) {
  const write = async (chunk: string) => {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  };
  res.status(200);
  res.setHeader('content-type', opts.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
  res.setHeader('content-disposition', `attachment; filename="${opts.filename.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80) || 'export'}.${opts.format}"`);
  if (opts.format === 'csv') await write(`${opts.columns.join(',')}\n`);
  return {
    async rows(rows: readonly Record<string, unknown>[]): Promise<void> {
      if (rows.length === 0) return;
      const line = (r: Record<string, unknown>) =>
        opts.format === 'csv' ? opts.columns.map((c) => csvCell(r[c])).join(',') : JSON.stringify(Object.fromEntries(opts.columns.map((c) => [c, r[c] ?? null])));
      await write(`${rows.map(line).join('\n')}\n`);
    },
    end: () => res.end(),
  };
}
