import { describe, expect, it } from 'vitest';
import { createBackendChain } from './backend.js';
import { createFakeBackend } from './backend-fake.js';

const source = '10.0.0.9';

describe('createBackendChain', () => {
  const ldap = () => createFakeBackend('ldap', { alice: { password: 'a', role: 'vendor' } });
  const radius = () =>
    createFakeBackend('radius', {
      alice: { password: 'r', role: 'maintenance' },
      dave: (request) =>
        request.challenge === undefined
          ? { kind: 'challenge', backend: 'radius', state: 'c3Q=', prompt: 'code?' }
          : request.password === '123'
            ? { kind: 'accept', backend: 'radius', user: 'dave', role: 'vendor' }
            : {
                kind: 'reject',
                backend: 'radius',
                reason: 'bad-credentials',
                message: 'wrong user name or password',
              },
    });

  it('the first backend that knows the user decides, even with a wrong password', async () => {
    const chain = createBackendChain([ldap(), radius()]);
    expect(await chain.authenticate({ user: 'alice', password: 'a', source })).toMatchObject({
      kind: 'accept',
      backend: 'ldap',
      role: 'vendor',
    });
    // alice's RADIUS password does not help once LDAP knows her.
    expect(await chain.authenticate({ user: 'alice', password: 'r', source })).toMatchObject({
      kind: 'reject',
      backend: 'ldap',
      reason: 'bad-credentials',
    });
  });

  it('unknown-user passes on to the next backend', async () => {
    const chain = createBackendChain([ldap(), radius()]);
    expect(await chain.authenticate({ user: 'dave', password: 'p', source })).toMatchObject({
      kind: 'challenge',
      backend: 'radius',
    });
  });

  it('a challenge continuation goes only to the backend that issued it', async () => {
    const first = ldap();
    const second = radius();
    const chain = createBackendChain([first, second]);
    const outcome = await chain.authenticate({
      user: 'dave',
      password: '123',
      source,
      challenge: { backend: 'radius', state: 'c3Q=' },
    });
    expect(outcome).toMatchObject({ kind: 'accept', backend: 'radius' });
    expect(first.requests).toHaveLength(0);
  });

  it('a continuation naming no configured backend is rejected', async () => {
    const chain = createBackendChain([ldap()]);
    const outcome = await chain.authenticate({
      user: 'x',
      password: '1',
      source,
      challenge: { backend: 'gone', state: '' },
    });
    expect(outcome).toMatchObject({ kind: 'reject', reason: 'bad-credentials' });
  });

  it('unavailable never turns into unknown-user or accept', async () => {
    const chain = createBackendChain([createFakeBackend('down', {}, { down: true }), ldap()]);
    expect(await chain.authenticate({ user: 'alice', password: 'a', source })).toMatchObject({
      kind: 'accept',
    });
    expect(await chain.authenticate({ user: 'mallory', password: 'm', source })).toMatchObject({
      kind: 'unavailable',
      message: expect.stringContaining('down: fake backend is down'),
    });
  });

  it('all backends unknown → unknown-user; no backends → unavailable', async () => {
    expect(
      await createBackendChain([ldap()]).authenticate({ user: 'zed', password: 'z', source }),
    ).toMatchObject({
      kind: 'reject',
      reason: 'unknown-user',
    });
    expect(await createBackendChain([]).authenticate({ user: 'zed', password: 'z', source })).toMatchObject({
      kind: 'unavailable',
    });
  });

  it('close closes every backend', async () => {
    const backends = [ldap(), radius()];
    await createBackendChain(backends).close();
    expect(backends.every((b) => b.closed)).toBe(true);
  });
});
