import { LiquidError } from 'liquidjs';
import { personalDataView } from '../../domain/masking';
import { compileTemplate, renderEmail, type TemplateProblem } from '../../domain/email/template';
import { emailContextFor, PREVIEW_UNSUBSCRIBE_URL } from '../../lib/email-context';
import { EmailTemplate, type EmailTemplateDoc } from '../../models/email-template';
import { SubscriptionTopic } from '../../models/subscription-topic';
import type { RouteDeps } from '../context';
import { ApiError, type ErrorDetail } from '../errors';
import { defineRoute } from '../route';
import { decodeCursor, page, Pagination } from '../schemas/common';
import { EmailTemplateInput, EmailTemplateView, PreviewInput, RenderedEmail, TemplateKeyParams } from '../schemas/email';
import { z } from '../zod';
import { audit } from './accounts';

const TEMPLATE_RULES =
  'subject, html, mjml and text parse as Liquid (no include, render or layout); they use only the merge fields person.<email|firstName|lastName|jobTitle|department|seniority|attributes.*>, account.<name|domain|industry|employees|annualRevenue|fundingRound|country|tier|attributes.*>, buyingGroup.<name|role|solutionInterest> and unsubscribe_url, and known filters; mjml is valid MJML; topic is a defined subscription topic. Each problem names its part and line';

const detailOf = (p: TemplateProblem): ErrorDetail => ({ path: p.part, message: `line ${p.line}, ${p.message}` });

function viewOf(t: EmailTemplateDoc & { updatedAt: Date }) {
  const { _id, createdAt: _created, updatedAt, ...rest } = t;
  return { key: _id, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null && v !== undefined)), updatedAt: updatedAt.toISOString() };
}

async function findTemplate(key: string) {
  const template = await EmailTemplate.findOne({ _id: key }).lean();
  if (!template) throw ApiError.notFound(`email template '${key}'`);
  return template;
}

export function emailTemplateRoutes(deps: RouteDeps): void {
  defineRoute(deps.router, deps.registry, {
    method: 'put',
    path: '/v1/email-templates/:key',
    tag: 'Email',
    summary: 'Create or replace an email template (Liquid in the subject and bodies; HTML written as HTML or MJML; a text part derived from the HTML when none is given)',
    roles: ['admin', 'marketer'],
    params: TemplateKeyParams,
    body: EmailTemplateInput,
    checkedBeyondSchema: TEMPLATE_RULES,
    responses: {
      200: { description: 'replaced', schema: z.object({ key: z.string() }) },
      201: { description: 'created', schema: z.object({ key: z.string() }) },
    },
    handler: async ({ params, body }) => {
      const { problems } = await compileTemplate(body);
      const details = problems.map(detailOf);
      if (body.topic && !(await SubscriptionTopic.exists({ _id: body.topic }))) {
        details.push({ path: 'topic', message: `no subscription topic '${body.topic}'; define it with PUT /v1/subscription-topics/${body.topic}` });
      }
      if (details.length) throw ApiError.validation(details, 'email template is invalid');
      // A replaced template loses the fields it no longer has (html after a switch to mjml, an old text part).
      const result = await EmailTemplate.replaceOne({ _id: params.key }, { _id: params.key, ...body }, { upsert: true, runValidators: true });
      return { status: result.upsertedCount ? 201 : 200, body: { key: params.key } };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/email-templates/:key',
    tag: 'Email',
    summary: 'An email template as saved',
    roles: ['admin', 'marketer', 'operator'],
    params: TemplateKeyParams,
    responses: { 200: { description: 'the template', schema: EmailTemplateView } },
    handler: async ({ params }) => ({ status: 200, body: viewOf(await findTemplate(params.key)) }),
  });

  defineRoute(deps.router, deps.registry, {
    method: 'get',
    path: '/v1/email-templates',
    tag: 'Email',
    summary: 'Email templates by key',
    roles: ['admin', 'marketer', 'operator'],
    query: Pagination,
    responses: { 200: { description: 'templates', schema: z.object({ items: z.array(EmailTemplateView), nextCursor: z.string().nullable() }) } },
    handler: async ({ query }) => {
      const offset = decodeCursor(query.cursor);
      const docs = await EmailTemplate.find({}).sort({ _id: 1 }).skip(offset).limit(query.limit + 1).lean();
      return { status: 200, body: page(docs.map(viewOf), offset, query.limit) };
    },
  });

  defineRoute(deps.router, deps.registry, {
    method: 'post',
    path: '/v1/email-templates/:key/preview',
    tag: 'Email',
    summary: "The template rendered for a real person: their merge fields (masked for operators), their account and buying-group role; a placeholder unsubscribe link (audited)",
    roles: ['admin', 'marketer', 'operator'],
    params: TemplateKeyParams,
    body: PreviewInput,
    responses: {
      200: { description: 'the rendered email', schema: RenderedEmail },
      409: { description: 'conflict: the saved template no longer compiles (the merge fields changed since it was saved)' },
    },
    handler: async ({ params, body, auth }) => {
      const template = await findTemplate(params.key);
      const context = await emailContextFor(body.personId, personalDataView(auth.role), { unsubscribeUrl: PREVIEW_UNSUBSCRIBE_URL });
      if (!context) throw ApiError.notFound(`person '${body.personId}'`);
      await audit(auth, 'preview', `person:${body.personId}`);
      const { compiled, problems } = await compileTemplate(template);
      // Saved templates compiled when saved; this happens only if the merge fields changed since.
      if (!compiled) throw ApiError.conflict(`email template '${params.key}' no longer compiles: ${problems.map((p) => `${p.part} line ${p.line}, ${p.message}`).join('; ')}`);
      try {
        return { status: 200, body: renderEmail(compiled, context) };
      } catch (err) {
        // A loop too long or a string too large for this person's data: the template's limit, not the server's failure.
        if (err instanceof LiquidError) throw ApiError.validation([{ path: 'template', message: `cannot be rendered for this person: ${err.message}` }]);
        throw err;
      }
    },
  });
}
