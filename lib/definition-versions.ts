import type { DefinitionNeeds } from '../domain/definition-versions';
import { readTemplates } from './role-template-store';
import { activeModel } from './scoring-model-store';
import { readSegments } from './segment-store';

/** The definitions as saved now: a fan-out started after a save asks its refreshes for at least these. */
export async function savedDefinitions(): Promise<DefinitionNeeds> {
  const [model, segments, templates] = await Promise.all([activeModel(), readSegments(), readTemplates()]);
  return { model: model.version, segments: segments.revision, templates: templates.revision };
}
