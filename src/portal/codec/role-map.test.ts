import { describe, expect, it } from 'vitest';
import { mapRole } from './role-map.js';

const mappings = [
  { match: 'vendor-siemens', role: 'vendor-engineer' },
  { match: 'cn=Maintenance, ou=groups, dc=plant, dc=example', role: 'maintenance' },
  { match: 'ghost', role: 'not-in-policy' },
];
const roles = ['vendor-engineer', 'maintenance'];

describe('mapRole', () => {
  it.each([
    [['vendor-siemens'], 'ignore-case', 'vendor-engineer'],
    [['VENDOR-Siemens'], 'ignore-case', 'vendor-engineer'],
    [['VENDOR-Siemens'], 'exact', undefined],
    [['cn=maintenance,ou=groups,dc=plant,dc=example'], 'ignore-case', 'maintenance'],
    [['maintenance', 'vendor-siemens'], 'ignore-case', 'vendor-engineer'],
    [['ghost'], 'ignore-case', undefined],
    [[], 'ignore-case', undefined],
    [['unmapped'], 'exact', undefined],
  ] as const)('%j (%s) → %s', (values, matchCase, expected) => {
    expect(mapRole(values, mappings, roles, matchCase)).toBe(expected);
  });
});
