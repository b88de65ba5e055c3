import { bothNeeds, type DefinitionNeeds } from '../domain/definition-versions';
import type { EntityRef } from '../domain/routing';
import type { RefreshRequest } from '../workflows/account-messages';
import { coalesced } from './coalesced-call';

type SendRefresh = (entity: EntityRef, request: RefreshRequest) => Promise<void>;

/** What the next signal asks for: every request since the last one began, joined. */
interface Asked {
  reasons: Set<string>;
  atLeast: DefinitionNeeds;
}

interface Entity {
  asked?: Asked;
  signal: () => Promise<void>;
}

/** No needs named: everything as saved now (as the workflow reads an unnamed request). */
const needsOf = (request: RefreshRequest) => request.atLeast ?? { latest: true };

/**
 * The process's refresh requests, one signal in flight per entity workflow:
 * requests that arrive while one is sent share the next signal, their needs
 * joined. Each caller still waits for a signal that began after it asked,
 * so the re-score it asks for sees its writes; a burst of writes to one
 * account (a CRM sync of its contacts, a team signing up) costs two signals
 * and a re-score or two instead of one each.
 */
export class RefreshSignals {
  private readonly entities = new Map<string, Entity>();

  constructor(private readonly send: SendRefresh) {}

  request(workflowId: string, entity: EntityRef, request: RefreshRequest): Promise<void> {
    let e = this.entities.get(workflowId);
    if (!e) {
      const created: Entity = {
        signal: coalesced(async () => {
          const asked = created.asked!;
          created.asked = undefined;
          try {
            await this.send(entity, { reason: [...asked.reasons].join('; '), atLeast: asked.atLeast });
          } finally {
            // Nobody asked meanwhile, so no signal is queued behind this one.
            if (!created.asked) this.entities.delete(workflowId);
          }
        }),
      };
      e = created;
      this.entities.set(workflowId, e);
    }
    e.asked = e.asked
      ? { reasons: e.asked.reasons.add(request.reason), atLeast: bothNeeds(e.asked.atLeast, needsOf(request)) }
      : { reasons: new Set([request.reason]), atLeast: needsOf(request) };
    return e.signal();
  }
}
