import { entityRefFor } from '../../domain/routing';
import { requestRefresh } from '../../lib/deliver-events';
import { adoptEmail, relinkIdentities, resolvePeople } from '../../lib/identity-store';
import { refreshAfterMerges } from '../../lib/ingest-events';
import { Person } from '../../models/person';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { Key } from '../schemas/common';
import { PersonIdentifiers } from '../schemas/events';
import { FreeFormObject } from '../schemas/free-form';
import { z } from '../zod';
import { assertMayLink } from './people';

const PROFILE_TRAITS = ['firstName', 'lastName', 'jobTitle', 'department', 'seniority'] as const;

const IdentifyInput = z.object({ person: PersonIdentifiers, traits: FreeFormObject.optional(), accountKey: Key.optional() }).strict().openapi('Identify');

export function identifyRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/identify',
    tag: 'Ingestion',
    summary: 'Join identifiers to one person: an anonymous visitor who fills a form becomes the known lead, with its history',
    roles: ['admin', 'ingest', 'marketer'],
    body: IdentifyInput,
    responses: {
      200: { description: 'the person and who was merged into it', schema: z.object({ personId: z.string(), merged: z.array(z.string()) }) },
      409: { description: 'the identifiers belong to different CRM contacts' },
    },
    handler: async ({ body, auth }) => {
      await assertMayLink(auth, body.person, body.accountKey);
      const [person] = await resolvePeople([{ ids: body.person, accountKey: body.accountKey }]);
      if (person.error) throw ApiError.conflict(person.error);
      await adoptEmail(person.personId, person.emailAdded);
      const traits = body.traits ?? {};
      const set: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(traits)) set[(PROFILE_TRAITS as readonly string[]).includes(k) ? k : `attributes.${k}`] = v;
      const moved = body.accountKey && body.accountKey !== person.linkedAccountKey;
      if (moved) set.accountKey = body.accountKey;
      if (Object.keys(set).length) await Person.updateOne({ _id: person.personId }, { $set: set });
      if (moved) await relinkIdentities(person.personId, body.accountKey!);
      await refreshAfterMerges(deps.delivery, [person]);
      if (moved || Object.keys(traits).length) {
        await requestRefresh(deps.delivery, entityRefFor(body.accountKey ?? person.linkedAccountKey, person.personId), 'identified');
      }
      return { status: 200, body: { personId: person.personId, merged: person.merged } };
    },
  });
}
