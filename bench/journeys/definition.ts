// The bench's journey: wait up to 7 days for whitepaper_download, then
// notifySales, then exit; created and published through the API.
import type { JourneyDefinition } from '../../domain/journeys/definition';
import { LiveJourney } from '../../lib/journey-launch';
import { versionOf } from '../../lib/journey-store';
import { expectStatus, within } from '../scenario';
import type { AnyStack } from '../stack';

export const PREFIX = 'jnb';
export const EVENT = 'whitepaper_download';
const WAIT_NODE = 'await';
export const BRANCH_NODES = new Set(['hot', 'done']);

const definitionOf = (name: string) => ({
  name,
  entry: { manual: true },
  start: WAIT_NODE,
  nodes: {
    [WAIT_NODE]: { type: 'waitForEvent', event: EVENT, timeout: 'P7D', next: 'hot', onTimeout: 'done' },
    hot: { type: 'action', action: 'notifySales', params: { message: 'bench' }, next: 'done' },
    done: { type: 'exit' },
  },
});

/** A published journey, and the same as the in-process baseline's startJourney takes it. */
export async function createJourney(stack: AnyStack, name: string): Promise<{ id: string; live: LiveJourney }> {
  const created = await stack.api('POST', '/v1/journeys', definitionOf(name));
  expectStatus(created, [201], 'POST /v1/journeys');
  const id = created.body.id as string;
  const published = await stack.api('POST', `/v1/journeys/${id}/publish`);
  expectStatus(published, [200], `POST /v1/journeys/${id}/publish`);
  const version = published.body.version as number;
  const definition = (await within(versionOf(id, version), 30000, 'reading the published version')) as JourneyDefinition;
  return { id, live: { id, name, version, definition, state: 'active' } };
}
