// The policy JSON Schema (draft 2020-12) for editors, derived from the same
// shape table the parser checks against, so the two cannot drift. Pure.

import { policyShape } from './policy-shape.js';
import { NAME_PATTERN, type Shape } from './shape.js';

type JsonSchema = { readonly [key: string]: unknown };

/** Converts one shape to its JSON Schema. */
export function schemaOf(shape: Shape): JsonSchema {
  const base = { description: shape.description };
  switch (shape.kind) {
    case 'string':
      return {
        ...base,
        type: 'string',
        ...(shape.enum && { enum: shape.enum }),
        ...(shape.pattern && { pattern: shape.pattern }),
        ...(shape.examples && { examples: shape.examples }),
        ...(shape.default !== undefined && { default: shape.default }),
      };
    case 'integer':
      return {
        ...base,
        type: 'integer',
        ...(shape.minimum !== undefined && { minimum: shape.minimum }),
        ...(shape.maximum !== undefined && { maximum: shape.maximum }),
      };
    case 'boolean':
      return { ...base, type: 'boolean', ...(shape.default !== undefined && { default: shape.default }) };
    case 'array':
      return {
        ...base,
        type: 'array',
        items: schemaOf(shape.items),
        ...(shape.minItems !== undefined && { minItems: shape.minItems }),
      };
    case 'object':
      return {
        ...base,
        type: 'object',
        properties: Object.fromEntries(Object.entries(shape.properties).map(([k, v]) => [k, schemaOf(v)])),
        ...(shape.required && { required: shape.required }),
        ...(shape.requireAnyOf && { anyOf: shape.requireAnyOf.keys.map((k) => ({ required: [k] })) }),
        additionalProperties: false,
      };
    case 'named-map':
      return {
        ...base,
        type: 'object',
        patternProperties: { [shape.keyPattern ?? NAME_PATTERN]: schemaOf(shape.values) },
        additionalProperties: false,
      };
    case 'union':
      return { ...base, anyOf: shape.anyOf.map(schemaOf) };
  }
}

/** The JSON Schema of policy.yaml v1, for editors (e.g. yaml-language-server). */
export const policySchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://picket.dev/schema/policy-v1.json',
  title: 'Picket policy (v1)',
  ...schemaOf(policyShape),
};
