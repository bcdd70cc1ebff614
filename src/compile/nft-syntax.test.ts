import { describe, expect, it } from 'vitest';
import { COMMENT_MAX_BYTES, commentText, identifierPart, identifierParts } from './nft-syntax.js';

describe('commentText', () => {
  it.each([
    ['policy.yaml:12 hmi-reads-plcs', 'policy.yaml:12 hmi-reads-plcs'],
    ['rule "quoted"', "rule 'quoted'"],
    ['back\\slash and\ttab', 'back slash and tab'],
  ])('%j → %j', (input, output) => {
    expect(commentText(input)).toBe(output);
  });

  it.each([
    ['ascii', 'x'.repeat(300)],
    ['multi-byte', 'Pumpe-Süd-'.repeat(30)],
  ])('cuts long %s text to the kernel limit of %i bytes', (_kind, text) => {
    const out = commentText(text);
    expect(new TextEncoder().encode(out).length).toBeLessThanOrEqual(COMMENT_MAX_BYTES);
    expect(out.endsWith('~')).toBe(true);
  });
});

describe('identifierPart', () => {
  it.each([
    ['maintenance', 'maintenance'],
    ['Night-Shift 2', 'night_shift_2'],
    ['Wartung/Süd', 'wartung_s_d'],
    ['---', '_'],
  ])('%s → %s', (name, id) => {
    expect(identifierPart(name)).toBe(id);
  });

  it('gives names that sanitize alike distinct identifiers, in sorted order', () => {
    expect([...identifierParts(['maint_a', 'maint-a', 'maint a'])]).toEqual([
      ['maint a', 'maint_a'],
      ['maint-a', 'maint_a_2'],
      ['maint_a', 'maint_a_3'],
    ]);
  });
});
