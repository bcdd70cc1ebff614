import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePolicy } from './parse.js';
import { policySchema } from './schema.js';

type Schema = Record<string, unknown>;

// Just enough of JSON Schema 2020-12 for the keywords policySchema uses; returns the paths that fail.
function validate(schema: Schema, value: unknown, path = '$'): string[] {
  const errors: string[] = [];
  const type = schema.type as string | undefined;
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  const typeOk =
    type === undefined ||
    (type === 'object' && isObject) ||
    (type === 'array' && Array.isArray(value)) ||
    (type === 'string' && typeof value === 'string') ||
    (type === 'integer' && Number.isInteger(value)) ||
    (type === 'boolean' && typeof value === 'boolean');
  if (!typeOk) return [`${path}: not ${type}`];
  if (schema.anyOf && !(schema.anyOf as Schema[]).some((s) => validate(s, value, path).length === 0)) {
    errors.push(`${path}: matches no anyOf`);
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) errors.push(`${path}: not in enum`);
  if (
    typeof schema.pattern === 'string' &&
    typeof value === 'string' &&
    !new RegExp(schema.pattern).test(value)
  ) {
    errors.push(`${path}: does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: below minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      errors.push(`${path}: too few`);
    value.forEach((item, i) => {
      errors.push(...validate(schema.items as Schema, item, `${path}[${i}]`));
    });
  }
  if (isObject) {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const patterns = Object.entries((schema.patternProperties ?? {}) as Record<string, Schema>);
    for (const key of (schema.required ?? []) as string[])
      if (!(key in value)) errors.push(`${path}: no ${key}`);
    for (const [key, v] of Object.entries(value)) {
      const sub = props[key] ?? patterns.find(([p]) => new RegExp(p).test(key))?.[1];
      if (sub) errors.push(...validate(sub, v, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected ${key}`);
    }
  }
  return errors;
}

function walk(schema: Schema, visit: (s: Schema, path: string) => void, path = '$'): void {
  visit(schema, path);
  for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, Schema>))
    walk(v, visit, `${path}.${k}`);
  for (const v of Object.values((schema.patternProperties ?? {}) as Record<string, Schema>))
    walk(v, visit, `${path}.*`);
  if (schema.items) walk(schema.items as Schema, visit, `${path}[]`);
  for (const v of (schema.anyOf ?? []) as Schema[]) walk(v, visit, `${path}|`);
}

const example = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'policy.yaml'), 'utf8');

describe('policySchema', () => {
  it('is draft 2020-12', () => {
    expect(policySchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('closes every object and describes every property', () => {
    walk(policySchema, (s, path) => {
      if (s.type === 'object') expect(s.additionalProperties, path).toBe(false);
      if (s.type !== undefined) expect(typeof s.description, path).toBe('string');
    });
  });

  it('accepts the example policy', () => {
    expect(validate(policySchema, parse(example))).toEqual([]);
  });

  it.each([
    ['an unknown key', { version: 1, site: 's', zone: {} }],
    ['a missing site', { version: 1 }],
    ['an asset without ip', { version: 1, site: 's', assets: { a: { zone: 'z' } } }],
    [
      'a bad day',
      {
        version: 1,
        site: 's',
        schedules: { x: { days: ['tues'], from: '01:00', to: '02:00', timezone: 'UTC' } },
      },
    ],
    ['a service without ports', { version: 1, site: 's', services: { x: { protocol: 'modbus' } } }],
    ['a bad name', { version: 1, site: 's', zones: { 'cell a': { networks: ['10.0.0.0/8'] } } }],
  ])('rejects %s, as the parser does', (_name, value) => {
    expect(validate(policySchema, value)).not.toEqual([]);
    const { policy } = parsePolicy(JSON.stringify(value), 'p.json');
    expect(policy).toBeUndefined();
  });
});
