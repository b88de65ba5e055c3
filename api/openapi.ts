import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  return registry;
}

type Schema = Record<string, any>;

const NO_NUL = '^[^\\u0000]*$';

/**
 * What requests may not hold beyond what zod-to-openapi reads from the
 * schemas, stated on every request schema: text with NUL characters, keys
 * included (route.ts refuses it before any schema), on each string and key
 * without a pattern or format of its own; numbers zod refuses (not finite,
 * integers beyond 2^53), as bounds.
 */
function statesRefusals(document: Schema): Schema {
  const seen = new Set<Schema>();
  const visit = (schema: Schema | undefined): void => {
    if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
    seen.add(schema);
    if (schema.$ref) return visit(document.components?.schemas?.[String(schema.$ref).split('/').pop()!]);
    const types = [schema.type].flat();
    if (types.includes('string') && !schema.pattern && !schema.format && !schema.enum && schema.const === undefined) schema.pattern = NO_NUL;
    if (types.includes('object') && schema.additionalProperties !== false && !schema.propertyNames) schema.propertyNames = { pattern: NO_NUL };
    const largest = types.includes('integer') ? Number.MAX_SAFE_INTEGER : types.includes('number') ? Number.MAX_VALUE : undefined;
    if (largest) {
      schema.minimum ??= -largest;
      schema.maximum ??= largest;
    }
    for (const key of ['items', 'additionalProperties', 'not', 'propertyNames']) visit(schema[key]);
    for (const key of ['properties', 'patternProperties']) Object.values(schema[key] ?? {}).forEach((s) => visit(s as Schema));
    for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) (schema[key] ?? []).forEach(visit);
  };
  for (const item of Object.values(document.paths ?? {}) as Schema[]) {
    for (const operation of Object.values(item) as Schema[]) {
      (operation.parameters ?? []).forEach((p: Schema) => visit(p.schema));
      Object.values(operation.requestBody?.content ?? {}).forEach((c) => visit((c as Schema).schema));
    }
  }
  return document;
}

export function openApiDocument(registry: OpenAPIRegistry) {
  return statesRefusals(new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'B2B journey engine',
      version: '1',
      description:
        'Account-based marketing engine: ingestion, One ID, scoring, buying groups, journeys. Errors use { error: { code, message, details } }. ' +
        'Text anywhere in a request (values and keys) may not contain NUL characters or unpaired UTF-16 surrogates (400). ' +
        'A documented path asked with a method it does not serve answers 405 with Allow.',
    },
  }));
}
