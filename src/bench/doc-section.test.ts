import { describe, expect, it } from 'vitest';
import { replaceSection } from './doc-section.js';

describe('replaceSection', () => {
  it('starts a new file with the header and the section', () => {
    const text = replaceSection(undefined, 'dataplane', '## Dataplane\nnumbers');
    expect(text.startsWith('# Benchmarks\n')).toBe(true);
    expect(text).toContain('<!-- bench:dataplane -->\n## Dataplane\nnumbers\n<!-- /bench:dataplane -->\n');
  });

  it('replaces its own section and keeps the others', () => {
    const before = [
      '# Benchmarks',
      '',
      '<!-- bench:intake -->\nintake v1\n<!-- /bench:intake -->',
      '',
      '<!-- bench:dataplane -->\nold\n<!-- /bench:dataplane -->',
      '',
    ].join('\n');
    const after = replaceSection(before, 'dataplane', 'new');
    expect(after).toContain('<!-- bench:intake -->\nintake v1\n<!-- /bench:intake -->');
    expect(after).toContain('<!-- bench:dataplane -->\nnew\n<!-- /bench:dataplane -->');
    expect(after).not.toContain('old');
  });

  it('appends when the file has no section of that name', () => {
    const after = replaceSection(
      '# Benchmarks\n\n<!-- bench:intake -->\nx\n<!-- /bench:intake -->\n',
      'dataplane',
      'y',
    );
    expect(after.indexOf('bench:intake')).toBeLessThan(after.indexOf('bench:dataplane'));
  });
});
