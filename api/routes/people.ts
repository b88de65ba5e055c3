import type { Identifiers } from '../../domain/identity';
import { personalDataView } from '../../domain/masking';
import { decidesSalesVisibility, restrictedToOwnAccounts } from '../../domain/roles';
import { entityRefFor } from '../../domain/routing';
import { changeConsent, unknownTopics } from '../../lib/consent-store';
import { requestRefresh } from '../../lib/deliver-events';
import { recheckPeople } from '../../lib/nurture-recheck';
import { linkedAccounts, relinkIdentities, resolvePeople } from '../../lib/identity-store';
import { accountJourneys, personBuyingGroups, personStreams } from '../../lib/profile-links';
import { enrolmentView } from '../schemas/nurture';
import { Account } from '../../models/account';
import { Identity } from '../../models/identity';
import { Interaction } from '../../models/interaction';
import { Person } from '../../models/person';
import type { AuthContext } from '../auth';
import type { RouteDeps } from '../context';
import { ApiError } from '../errors';
import { defineRoute, linkTo } from '../route';
import { decodeCursor, page, Pagination } from '../schemas/common';
import { EmailParams, PersonIdParams, PersonInput, PersonProfile } from '../schemas/people';
import { z } from '../zod';
import { assertMayRead, audit } from './accounts';

const PERSONAL_FIELDS = ['firstName', 'lastName', 'jobTitle', 'department', 'seniority'] as const;

/** Sales keys read only people of the accounts they own. */
export async function mayReadPerson(auth: AuthContext, person: { accountKey?: string | null }): Promise<void> {
  if (!restrictedToOwnAccounts(auth.role)) return;
  const account = person.accountKey ? await Account.findOne({ _id: person.accountKey }, { ownerId: 1 }).lean() : null;
  assertMayRead(auth, account);
}

/**
 * The account a person is linked to decides which sales rep sees her: a
 * source may link a person who has no account yet, not move one (checked
 * before anything is written).
 */
export async function assertMayLink(auth: AuthContext, ids: Identifiers, accountKey: string | undefined): Promise<void> {
  if (!accountKey || decidesSalesVisibility(auth.role)) return;
  if ((await linkedAccounts(ids)).every((linked) => linked === accountKey)) return;
  throw ApiError.forbidden(`role '${auth.role}' may not move a person to another account`, [
    { path: 'accountKey', message: `the person is linked to another account; an ${auth.role} key may not move people between accounts (admin and marketer keys may)` },
  ]);
}

const personId = { personId: '$response.body#/personId' };
const PERSON_LINKS = {
  profile: linkTo('get', '/v1/people/:personId', personId),
  timeline: linkTo('get', '/v1/people/:personId/timeline', personId),
  score: linkTo('get', '/v1/people/:personId/score', personId),
};

export function peopleRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/people/:personId/timeline',
    tag: 'Profiles',
    summary: "A person's interactions, newest first (audited)",
    roles: ['admin', 'marketer', 'sales', 'operator'],
    params: PersonIdParams,
    query: Pagination,
    responses: { 200: { description: 'interactions', schema: z.object({ items: z.array(z.unknown()), nextCursor: z.string().nullable() }) } },
    handler: async ({ params, query, auth }) => {
      const person = await Person.findOne({ _id: params.personId }, { accountKey: 1 }).lean();
      if (!person) throw ApiError.notFound(`person '${params.personId}'`);
      await mayReadPerson(auth, person);
      await audit(auth, 'read', `person:${params.personId}:timeline`);
      const offset = decodeCursor(query.cursor);
      const docs = await Interaction.find({ personId: params.personId }).sort({ occurredAt: -1, _id: 1 }).skip(offset).limit(query.limit + 1).lean();
      const view = personalDataView(auth.role);
      const items = docs.map((d) => ({ eventId: d._id, type: d.type, occurredAt: d.occurredAt.toISOString(), accountKey: d.accountKey ?? null, properties: view.freeForm(d.properties ?? {}) }));
      return { status: 200, body: page(items, offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/people/:email',
    tag: 'People',
    summary: 'Create or update a person known by email',
    roles: ['admin', 'marketer', 'ingest'],
    params: EmailParams,
    body: PersonInput,
    checkedBeyondSchema: 'consent.topics.<topic> names a defined subscription topic',
    responses: {
      200: { description: 'updated', schema: z.object({ personId: z.string() }), links: PERSON_LINKS },
      201: { description: 'created', schema: z.object({ personId: z.string() }), links: PERSON_LINKS },
    },
    handler: async ({ params, body, auth }) => {
      const { consent, ...fields } = body;
      const unknown = await unknownTopics(Object.keys(consent?.topics ?? {}));
      if (unknown.length) {
        throw ApiError.validation(unknown.map((t) => ({ path: `consent.topics.${t}`, message: `no subscription topic '${t}'; define it with PUT /v1/subscription-topics/${t}` })));
      }
      await assertMayLink(auth, { email: params.email }, body.accountKey);
      const [person] = await resolvePeople([{ ids: { email: params.email }, accountKey: body.accountKey, create: fields }]);
      if (!person.created) await Person.updateOne({ _id: person.personId }, { $set: fields });
      // Consent changes field by field, recorded with its source and audited.
      if (consent) await changeConsent(person.personId, consent, { source: 'api', by: { keyId: auth.keyId, role: auth.role } });
      // A consent withdrawn or an attribute an exit rule names: the person's streams judge them now (one created here is on none).
      if (!person.created) await recheckPeople(deps.delivery, [person.personId]);
      const moved = body.accountKey && body.accountKey !== person.linkedAccountKey;
      if (moved) await relinkIdentities(person.personId, body.accountKey!);
      // Fit rules see the new attributes; a move takes the person's contribution to the new account.
      await requestRefresh(deps.delivery, entityRefFor(body.accountKey ?? person.linkedAccountKey, person.personId), 'person updated');
      if (moved && person.linkedAccountKey) await requestRefresh(deps.delivery, { kind: 'account', accountKey: person.linkedAccountKey }, 'person left');
      return { status: person.created ? 201 : 200, body: { personId: person.personId } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/people/:personId',
    tag: 'Profiles',
    summary: 'The profile of a person, masked by role (audited)',
    roles: ['admin', 'marketer', 'sales', 'operator'],
    params: PersonIdParams,
    responses: { 200: { description: 'the person', schema: PersonProfile } },
    handler: async ({ params, auth }) => {
      const person = await Person.findOne({ _id: params.personId }).lean();
      if (!person) throw ApiError.notFound(`person '${params.personId}'`);
      await mayReadPerson(auth, person);
      await audit(auth, 'read', `person:${params.personId}`);
      const view = personalDataView(auth.role);
      const identities = await Identity.find({ personId: person._id }, { kind: 1, value: 1 }).lean();
      const attributes: Record<string, unknown> = { ...view.freeForm(person.attributes ?? {}) };
      if (person.email) attributes.email = view.identifier('email', person.email);
      for (const f of PERSONAL_FIELDS) {
        const v = person[f];
        if (v) attributes[f] = view.text(v);
      }
      return {
        status: 200,
        body: {
          personId: person._id,
          identities: identities.map((i) => ({ kind: i.kind, value: view.identifier(i.kind, i.value) })),
          attributes,
          accountKey: person.accountKey ?? null,
          activity: person.activity ?? { total: 0, byType: {} },
          lastActivityAt: person.lastActivityAt?.toISOString() ?? null,
          score: person.score ?? null,
          buyingGroups: await personBuyingGroups(person._id, person.accountKey),
          journeys: await accountJourneys(person.accountKey),
          nurtureStreams: (await personStreams(person._id)).map(({ stream, enrolment }) => {
            const { personId: _, ...view } = enrolmentView(stream, enrolment);
            return { streamId: stream._id, name: stream.name, ...view };
          }),
          consent: person.consent ?? {},
          crm: person.crm?.status ? { status: person.crm.status, connection: person.crm.connection ?? '', updatedAt: person.crm.updatedAt?.toISOString() ?? '' } : null,
          masked: view.masked,
        },
      };
    },
  });
}
