type Schema = Record<string, unknown>;

const CHILD_MAPS = ['properties', '$defs', 'definitions', 'dependentSchemas'] as const;
const CHILD_LISTS = ['anyOf', 'oneOf', 'prefixItems'] as const;
const CHILDREN = ['items', 'additionalItems', 'contains'] as const;

/**
 * Returns a copy of a body schema in which every object schema with declared `properties` and no
 * rule of its own for other keys gets `additionalProperties: false`, so unknown body fields are
 * rejected (400 VALIDATION_FAILED) instead of silently accepted or stripped.
 *
 * Left open on purpose: objects without `properties` (free-form maps), objects that already say
 * `additionalProperties`, `patternProperties` or `unevaluatedProperties`, and the branches of an
 * `allOf` (closing each branch would make them reject each other's keys; close an intersection
 * with `unevaluatedProperties: false` instead). `$ref` targets are not followed. The input is
 * not mutated.
 */
export function closeObjectSchemas(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const source = schema as Schema;
  const copy: Schema = { ...source };
  for (const key of CHILD_MAPS) {
    const map = source[key];
    if (typeof map === 'object' && map !== null) {
      const next: Schema = {};
      for (const [name, child] of Object.entries(map)) next[name] = closeObjectSchemas(child);
      copy[key] = next;
    }
  }
  for (const key of CHILD_LISTS) {
    const list = source[key];
    if (Array.isArray(list)) copy[key] = list.map(closeObjectSchemas);
  }
  for (const key of CHILDREN) {
    if (key in source) copy[key] = closeObjectSchemas(source[key]);
  }
  if (
    typeof source.properties === 'object' &&
    source.properties !== null &&
    !('additionalProperties' in source) &&
    !('patternProperties' in source) &&
    !('unevaluatedProperties' in source)
  ) {
    copy.additionalProperties = false;
  }
  return copy;
}
