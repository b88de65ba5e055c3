import { personalDataView } from '../../domain/masking';
import { ConsentChange } from '../../models/consent-change';
import { Person } from '../../models/person';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { decodeCursor, page, Pagination } from '../schemas/common';
import { ConsentChangeView, ConsentInput } from '../schemas/consent';
import { PersonIdParams } from '../schemas/people';
import { z } from '../zod';
import { audit } from './accounts';
import { mayReadPerson } from './people';

const PersonConsent = z
  .object({ personId: z.string(), email: z.string().nullable(), consent: ConsentInput, items: z.array(ConsentChangeView), nextCursor: z.string().nullable() })
  .openapi('PersonConsent');

export function consentRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/people/:personId/consent',
    tag: 'Email',
    summary: "A person's consent and its changes, newest first, each with its source (the email masked for operators; audited)",
    roles: ['admin', 'marketer', 'sales', 'operator'],
    params: PersonIdParams,
    query: Pagination,
    responses: { 200: { description: 'consent and its history', schema: PersonConsent } },
    handler: async ({ params, query, auth }) => {
      const person = await Person.findOne({ _id: params.personId }, { email: 1, accountKey: 1, consent: 1 }).lean();
      if (!person) throw ApiError.notFound(`person '${params.personId}'`);
      await mayReadPerson(auth, person);
      await audit(auth, 'read', `person:${params.personId}:consent`);
      const offset = decodeCursor(query.cursor);
      const docs = await ConsentChange.find({ personId: params.personId }).sort({ at: -1, _id: -1 }).skip(offset).limit(query.limit + 1).lean();
      const changes = docs.map((d) => ({ at: d.at.toISOString(), source: d.source, keyId: d.keyId, ref: d.ref ?? null, changes: d.changes.map((c) => ({ field: c.field!, from: c.from ?? null, to: c.to! })) }));
      const email = person.email ? personalDataView(auth.role).identifier('email', person.email) : null;
      return { status: 200, body: { personId: person._id, email, consent: person.consent ?? {}, ...page(changes, offset, query.limit) } };
    },
  });
}
