import { IMPORT_FORMATS, IMPORT_KINDS } from '../../domain/import-file';
import { z } from '../zod';

/** The format may be left out when the content type says it (text/csv, application/x-ndjson). */
export const ImportQuery = z.object({
  kind: z.enum(IMPORT_KINDS),
  format: z.enum(IMPORT_FORMATS).optional(),
});

export const ImportFile = z
  .string()
  .min(1)
  .openapi({ description: 'the file: CSV with a header line naming the columns of the kind, or one JSON object per line (NDJSON)' });

export const ImportIdParams = z.object({ importId: z.string().regex(/^imp_[A-Za-z0-9_-]{1,64}$/, 'must be an import id such as imp_…') });

export const ImportAccepted = z
  .object({ importId: z.string(), total: z.number().int(), chunks: z.number().int() })
  .openapi('ImportAccepted');

export const ImportStatus = z
  .object({
    importId: z.string(),
    kind: z.enum(IMPORT_KINDS),
    format: z.enum(IMPORT_FORMATS),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    total: z.number().int(),
    done: z.number().int().describe('rows written (events: accepted or already known)'),
    failed: z.number().int().describe('rows refused; each is named in errors'),
    duplicates: z.number().int().describe('events whose eventId was already stored'),
    errorCount: z.number().int().describe('all row errors; the first 1000 are listed'),
    errors: z.array(
      z.object({
        row: z.number().int().describe('1-based among the data rows (a CSV header is not a row)'),
        line: z.number().int().describe('line of the file the row starts on'),
        field: z.string().optional(),
        message: z.string(),
      }),
    ),
    failureReason: z.string().optional(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('ImportStatus');
