// The floor: the contact upserts the adapter sent, input for input as the fake
// received them, sent again through a bare `@hubspot/api-client` Client
// (numberOfApiCallRetries 0, as the adapter builds it) to a fresh fake, 100 to
// a request, one request at a time (as the lane's one dispatcher sends) and a
// few at a time. Nothing but HTTP and the client: no database, no Temporal.
import { Client } from '@hubspot/api-client';
import type { BatchInputSimplePublicObjectBatchInputUpsert } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { startFakeHubSpot, type FakeHubSpot } from '../../test/support/fake-hubspot';
import { forEachLimit, within } from '../scenario';
import { ratePerSecond, summarize } from '../stats';
import { upsertsByEmail } from './path';

type Input = BatchInputSimplePublicObjectBatchInputUpsert['inputs'][number];

/** The inputs of every contact upsert the fake received, in order. */
export function sentInputs(fake: FakeHubSpot): Input[] {
  return fake.requests.filter((r) => r.path.startsWith('/crm/v3/objects/contacts/batch/upsert')).flatMap((r) => (r.body?.inputs ?? []) as Input[]);
}

export async function rawUpserts(inputs: Input[], inFlight: number) {
  const batches = Array.from({ length: Math.ceil(inputs.length / 100) }, (_, i) => inputs.slice(i * 100, (i + 1) * 100));
  const fake = await startFakeHubSpot();
  try {
    const client = new Client({ accessToken: fake.token, basePath: fake.url, numberOfApiCallRetries: 0 });
    const latency: number[] = [];
    const start = Date.now();
    await forEachLimit(batches, inFlight, async (batch) => {
      const t = performance.now();
      const answer = await within(client.crm.contacts.batchApi.upsert({ inputs: batch }), 60000, 'a raw upsert');
      latency.push(performance.now() - t);
      if (answer.results.length !== batch.length) throw new Error(`a raw upsert of ${batch.length} answered ${answer.results.length} results`);
    });
    const ms = Date.now() - start;
    const emails = new Set(inputs.map((i) => i.id.toLowerCase())).size;
    if (fake.state.contacts.size !== emails) throw new Error(`the fake holds ${fake.state.contacts.size} of the ${emails} contacts upserted raw`);
    return { contacts: inputs.length, requests: batches.length, inFlight, ms, perSecond: ratePerSecond(inputs.length, ms), requestMs: summarize(latency), duplicates: upsertsByEmail(fake).duplicates };
  } finally {
    await fake.close();
  }
}
