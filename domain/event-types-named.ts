import type { JourneyDefinition } from './journeys/definition';
import type { ScoringModel } from './scoring/model';
import { AccountDefinition, isPeople, isPerformed, PersonDefinition } from './segments/definition';

/** An event type a definition names, and where. */
export interface NamedEventType {
  path: string;
  type: string;
}

/** The event types a segment definition names in its `performed` parts. */
export function segmentEventTypes(d: PersonDefinition | AccountDefinition, path = 'definition'): NamedEventType[] {
  if ('all' in d) return (d.all as (PersonDefinition | AccountDefinition)[]).flatMap((x, i) => segmentEventTypes(x, `${path}.all.${i}`));
  if ('any' in d) return (d.any as (PersonDefinition | AccountDefinition)[]).flatMap((x, i) => segmentEventTypes(x, `${path}.any.${i}`));
  if ('not' in d) return segmentEventTypes(d.not, `${path}.not`);
  if (isPeople(d)) return segmentEventTypes(d.people, `${path}.people`);
  if (isPerformed(d)) return [{ path: `${path}.performed`, type: d.performed }];
  return [];
}

/** The event types a scoring model's behaviour rules count. */
export function scoringEventTypes(model: Pick<ScoringModel, 'behavior'>): NamedEventType[] {
  return model.behavior.map((r, i) => ({ path: `behavior.${i}.event`, type: r.event }));
}

/** The event types a journey enters on, waits for and exits on. */
export function journeyEventTypes(j: Pick<JourneyDefinition, 'entry' | 'nodes' | 'exitWhen'>): NamedEventType[] {
  const named: NamedEventType[] = [];
  if ('event' in j.entry) named.push({ path: 'entry.event', type: j.entry.event });
  for (const [id, node] of Object.entries(j.nodes)) if (node.type === 'waitForEvent') named.push({ path: `nodes.${id}.event`, type: node.event });
  if (j.exitWhen && 'performed' in j.exitWhen) named.push({ path: 'exitWhen.performed', type: j.exitWhen.performed });
  return named;
}
