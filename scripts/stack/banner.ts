import { DEV_ADMIN_KEY } from '../../lib/config';

/** `scheme://user:password@host` → `scheme://user:***@host`: a printed URL never carries a password. */
export function maskUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^:@/]*):[^@/]*@/i, '$1$2:***@');
}

export interface BannerFacts {
  apiUrl: string;
  temporalUiUrl?: string;
  temporalAddress: string;
  mongoUrl: string;
  embeddedMongo: boolean;
  /** MailDev's UI when it runs; absent when SMTP_URL points at a relay of your own. */
  mailUiUrl?: string;
  smtpUrl: string;
  adminKey: string;
  logDir: string;
}

/**
 * What `npm start` prints once everything answers. The admin key is shown
 * only when it is the built-in development default: a key of your own is
 * yours to know, not the terminal's (nor its scrollback's or CI log's).
 */
export function bannerLines(f: BannerFacts): string[] {
  const devKey = f.adminKey === DEV_ADMIN_KEY;
  return [
    '',
    'B2B journey engine is running',
    `  API          ${f.apiUrl}/v1`,
    `  API docs     ${f.apiUrl}/docs   (OpenAPI: ${f.apiUrl}/openapi.json)`,
    `  Temporal UI  ${f.temporalUiUrl ?? `(external Temporal at ${f.temporalAddress})`}`,
    `  Temporal     ${f.temporalAddress}`,
    `  MongoDB      ${maskUrlCredentials(f.mongoUrl)}${f.embeddedMongo ? '  (FerretDB on embedded PostgreSQL)' : ''}`,
    `  Mail UI      ${f.mailUiUrl ? `${f.mailUiUrl}   (MailDev: every email sent is caught here, none leaves)` : `(external SMTP at ${maskUrlCredentials(f.smtpUrl)})`}`,
    `  Admin key    ${devKey ? f.adminKey : '(ADMIN_API_KEY, not shown)'}`,
    `  Logs         ${f.logDir}`,
    '',
    `Try: curl -H 'Authorization: Bearer ${devKey ? f.adminKey : '<ADMIN_API_KEY>'}' ${f.apiUrl}/readyz`,
    'Ctrl-C stops everything.',
  ];
}
