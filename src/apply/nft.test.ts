import { describe, expect, it } from 'vitest';
import { parseNftError } from './nft.js';

const commands = 'add table inet x\nadd chain inet x c\nadd rule inet x c bogus\n';

describe('parseNftError', () => {
  it('takes the line from a file location, not from the quoted text', () => {
    const e = parseNftError(
      '/tmp/picket-nft-1/ruleset.nft:3:19-23: Error: syntax error, unexpected newline\nadd rule inet x c bogus\n                  ^^^^^\n',
      commands,
    );
    expect(e).toMatchObject({
      code: 'nft-rejected',
      line: 3,
      lineText: 'add rule inet x c bogus',
      notFound: false,
    });
    expect(e.kernelMessage).toBe('syntax error, unexpected newline');
  });

  it('marks a missing object and a missing permission', () => {
    expect(parseNftError('Error: No such file or directory\nlist table inet picket\n', '').notFound).toBe(
      true,
    );
    const denied = parseNftError('Error: cache initialization failed: Operation not permitted\n', '');
    expect(denied).toMatchObject({ code: 'nft-permission', permissionDenied: true });
    expect(denied.hint).toContain('root');
  });
});
