import { createHash } from 'node:crypto';
import { convert } from 'html-to-text';
import { Liquid, LiquidError, Tag, type Template, type TagToken, type TopLevelToken } from 'liquidjs';
import { LRUCache } from 'lru-cache';
import mjml2html from 'mjml';
import { type EmailContext, unknownMergeField } from './merge-fields';

/** A template as saved (api: PUT /v1/email-templates/:key): Liquid in the subject and bodies, the HTML written as HTML or as MJML. */
export interface EmailTemplateSource {
  subject: string;
  /** One of html and mjml; null or absent is "not given" (as a stored template reads). */
  html?: string | null;
  mjml?: string | null;
  text?: string | null;
}

export type TemplatePart = 'subject' | 'html' | 'mjml' | 'text';

export interface TemplateProblem {
  part: TemplatePart;
  line: number;
  message: string;
}

/** Parsed once, rendered for every recipient. */
export interface CompiledTemplate {
  subject: Template[];
  html: Template[];
  text?: Template[];
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/**
 * A template renders in memory only: reading other files (include, render,
 * layout) would let a marketer read the server's disk, so those tags are
 * refused when the template is saved and there is no file system to read.
 */
class Refused extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    throw new Error(`{% ${token.name} %} is not supported: a template is self-contained`);
  }
  *render(): Generator<unknown, void, unknown> {}
}

function engine(outputEscape: 'escape' | undefined): Liquid {
  const liquid = new Liquid({
    outputEscape,
    // A misspelt filter is a mistake to report, not text to print.
    strictFilters: true,
    templates: {},
    // One template must not hold up a worker sending thousands of messages.
    renderLimit: 1000,
    memoryLimit: 10_000_000,
  });
  for (const name of ['include', 'render', 'layout']) liquid.registerTag(name, Refused);
  return liquid;
}

// Names and attributes come from forms and CRMs: in HTML they are escaped, in the subject and text part they are plain text.
const htmlLiquid = engine('escape');
const textLiquid = engine(undefined);

const POSITION = /, line:\d+, col:\d+$/;

function problemOf(part: TemplatePart, err: unknown): TemplateProblem {
  if (err instanceof LiquidError) {
    const [line, col] = err.token.getPosition();
    return { part, line, message: `column ${col}: ${err.message.split('\n')[0].replace(POSITION, '')}` };
  }
  return { part, line: 1, message: (err as Error).message };
}

/** Parses one part and checks every variable it reads from outside against the merge fields. */
function parsePart(liquid: Liquid, part: TemplatePart, source: string, problems: TemplateProblem[]): Template[] | undefined {
  let parsed: Template[];
  try {
    parsed = liquid.parse(source);
  } catch (err) {
    problems.push(problemOf(part, err));
    return undefined;
  }
  const { globals } = liquid.analyzeSync(parsed, { partials: false });
  for (const variable of Object.values(globals).flat()) {
    const unknown = unknownMergeField(variable);
    if (unknown) problems.push({ part, line: variable.location.row, message: `column ${variable.location.col}: ${unknown}` });
  }
  return problems.some((p) => p.part === part) ? undefined : parsed;
}

/** MJML to responsive HTML, once per template: the Liquid in its text and attributes passes through unchanged. */
async function mjmlToHtml(source: string, problems: TemplateProblem[]): Promise<string | undefined> {
  try {
    // No includes (they read files) and no web fonts by default (recipients' mail clients would call a third party).
    const result = await mjml2html(source, { validationLevel: 'soft', ignoreIncludes: true, fonts: {} });
    for (const e of result.errors) problems.push({ part: 'mjml', line: e.line, message: e.message });
    return result.errors.length ? undefined : result.html;
  } catch (err) {
    problems.push({ part: 'mjml', line: 1, message: (err as Error).message });
    return undefined;
  }
}

const compiled = new LRUCache<string, CompiledTemplate>({ max: 500 });

/**
 * Checks and parses a template: every Liquid syntax error and every variable
 * that is not a merge field, by part and line (MJML's own errors by its
 * line), or the compiled template. Compiled templates are kept by their
 * content, so sending one template to thousands parses it once.
 */
export async function compileTemplate(source: EmailTemplateSource): Promise<{ problems: TemplateProblem[]; compiled?: CompiledTemplate }> {
  const key = createHash('sha256').update(JSON.stringify([source.subject, source.html, source.mjml, source.text])).digest('hex');
  const hit = compiled.get(key);
  if (hit) return { problems: [], compiled: hit };

  const problems: TemplateProblem[] = [];
  const subject = parsePart(textLiquid, 'subject', source.subject, problems);
  let html: Template[] | undefined;
  if (source.mjml != null) {
    // Liquid is checked in the MJML as written, so its lines are the author's.
    if (parsePart(htmlLiquid, 'mjml', source.mjml, problems)) {
      const rendered = await mjmlToHtml(source.mjml, problems);
      if (rendered !== undefined) html = parsePart(htmlLiquid, 'mjml', rendered, problems);
    }
  } else {
    html = parsePart(htmlLiquid, 'html', source.html ?? '', problems);
  }
  const text = source.text == null ? undefined : parsePart(textLiquid, 'text', source.text, problems);
  if (problems.length || !subject || !html) return { problems };
  const result: CompiledTemplate = { subject, html, text };
  compiled.set(key, result);
  return { problems, compiled: result };
}

/** The text part when the template has none: the HTML as a mail client would show it in plain text. */
function textOf(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}

/**
 * One recipient's message. The subject is one line whatever the merge
 * fields hold (a line break there would start a new mail header).
 */
export function renderEmail(template: CompiledTemplate, context: EmailContext): RenderedEmail {
  const scope = context as unknown as Record<string, unknown>;
  const html = htmlLiquid.renderSync(template.html, scope);
  return {
    subject: textLiquid.renderSync(template.subject, scope).replace(/\s+/g, ' ').trim(),
    html,
    text: template.text ? textLiquid.renderSync(template.text, scope) : textOf(html),
  };
}
