import { testServers } from './servers';

/** An email as MailDev caught it (the fields of its REST API that tests read). */
export interface CaughtEmail {
  id: string;
  subject: string;
  from: { address: string; name?: string }[];
  to: { address: string; name?: string }[];
  html?: string;
  text?: string;
  /**
   * Header names in lower case. In a listing, MailDev's parsed selection (Message-ID and
   * Subject among them, not List-* nor the address headers); in read(), every header as sent.
   */
  headers: Record<string, string | string[]>;
}

export interface MailDevClient {
  /** Every email caught so far, oldest first. */
  list(): Promise<CaughtEmail[]>;
  /** One email with its bodies and every header as it was sent (encoded words left encoded). */
  read(id: string): Promise<CaughtEmail>;
  /** Empties the inbox. */
  deleteAll(): Promise<void>;
}

/** The test run's MailDev (started by the global set-up), through its REST API. */
export function mailDev(apiUrl: string = testServers().mailApiUrl): MailDevClient {
  const call = async (method: string, path: string) => {
    const res = await fetch(`${apiUrl}${path}`, { method });
    if (!res.ok) throw new Error(`MailDev ${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    list: async () => (await call('GET', '/email')).json() as Promise<CaughtEmail[]>,
    async read(id) {
      const path = `/email/${encodeURIComponent(id)}`;
      const [email, source] = await Promise.all([call('GET', path).then((r) => r.json() as Promise<CaughtEmail>), call('GET', `${path}/source`).then((r) => r.text())]);
      return { ...email, headers: headersOf(source) };
    },
    deleteAll: async () => void (await call('DELETE', '/email/all')),
  };
}

/** The header block of a raw message, unfolded; a header that occurs more than once becomes a list. */
function headersOf(source: string): Record<string, string | string[]> {
  const block = source.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string | string[]> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers[name];
    headers[name] = seen === undefined ? value : [seen, value].flat();
  }
  return headers;
}

/** A header's value; a repeated header's first. */
export function header(email: CaughtEmail, name: string): string | undefined {
  const value = email.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
