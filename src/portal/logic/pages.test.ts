import { describe, expect, it } from 'vitest';
import { explainRateLimited, explainRefusal } from './outcome.js';
import { challengePage, grantedPage, loginPage } from './pages.js';

describe('portal pages', () => {
  it('the login form needs no JavaScript, carries the CSRF token and escapes what it echoes', () => {
    const html = loginPage({
      site: 'riverside',
      source: '10.20.0.66',
      csrf: 'tok"en',
      durations: [1800, 3600],
      defaultSeconds: 3600,
      user: '<script>x</script>',
      message: 'Wrong user name or password.',
    });
    expect(html).not.toMatch(/<script/);
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('<form method="post" action="/login">');
    expect(html).toContain('name="csrf" value="tok&#34;en"');
    expect(html).toContain('<option value="3600" selected>1h</option>');
    expect(html).toContain('name="viewport"');
  });

  it('the one-time-code step and the granted page', () => {
    expect(challengePage({ site: 's', csrf: 'c', prompt: 'Enter the code' })).toContain('action="/otp"');
    const granted = grantedPage({
      site: 's',
      csrf: 'c',
      user: 'alice',
      role: 'vendor-engineer',
      source: '10.20.0.66',
      reach: ['plc-a1: modbus'],
      untilText: '14:00 UTC',
      seconds: 3600,
      permitId: 'p-1',
    });
    expect(granted).toContain('Signed in as alice (role vendor-engineer) for 1h, until 14:00 UTC.');
    expect(granted).toContain('action="/logout"');
  });
});

describe('login outcomes', () => {
  it('are generic to the person and specific in the log', () => {
    const wrong = explainRefusal({ kind: 'reject', backend: 'ldap', reason: 'unknown-user', message: 'x' });
    expect(wrong.person).toBe('Wrong user name or password. Nothing was opened.');
    expect(wrong.log).toMatchObject({ backend: 'ldap', reason: 'unknown-user' });
    const down = explainRefusal({ kind: 'unavailable', backend: 'ldap', message: 'connect ECONNREFUSED' });
    expect(down.person).toMatch(/cannot be reached/);
    expect(down.log.problem).toBe('connect ECONNREFUSED');
    expect(explainRefusal({ kind: 'reject', backend: 'r', reason: 'locked', message: '' }).person).toMatch(
      /locked/,
    );
    expect(explainRefusal({ kind: 'reject', backend: 'r', reason: 'no-role', message: '' }).outcome).toBe(
      'no-role',
    );
    expect(explainRateLimited('user', 61_000).person).toMatch(/locked for 2m/);
  });
});
