/**
 * What a refresh must judge by: at least these versions of the saved
 * definitions (each only grows), or, with `latest`, everything as saved when
 * it runs. A fan-out names the versions it was started for, so thousands of
 * refreshes share a worker's cached read instead of each reading afresh.
 */
export interface DefinitionNeeds {
  model?: number;
  segments?: number;
  templates?: number;
  latest?: boolean;
}

const newer = (a?: number, b?: number) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

/** What two requests need together. */
export function bothNeeds(a: DefinitionNeeds, b: DefinitionNeeds): DefinitionNeeds {
  const out: DefinitionNeeds = {};
  for (const key of ['model', 'segments', 'templates'] as const) {
    const v = newer(a[key], b[key]);
    if (v !== undefined) out[key] = v;
  }
  if (a.latest || b.latest) out.latest = true;
  return out;
}

/** Once a refresh has read everything as saved, later ones need only the versions. */
export function withoutLatest({ latest: _latest, ...versions }: DefinitionNeeds): DefinitionNeeds {
  return versions;
}

/** How a worker's cache of one definition serves these needs: read afresh, or at least this version. */
export function cacheRead(needs: DefinitionNeeds, definition: 'model' | 'segments' | 'templates'): { fresh: boolean; atLeast?: number } {
  return { fresh: needs.latest === true, atLeast: needs[definition] };
}
