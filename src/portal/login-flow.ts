// The portal's request flow: home (login form, or the granted page for a
// device holding a permit), login, one-time code, logout. Checks origin and
// CSRF token first, then the rate limit, then asks the backend chain; an
// accept becomes a permit through the node's PermitPort. The person sees a
// generic message; the operator log gets the specifics, never a password.
// Session + form → page. Shell (calls the backends and the node).

import type { Portal } from '../policy/types.js';
import type { AuthBackend, AuthOutcome } from './backend.js';
import { durationChoices, grantSeconds } from './logic/grant.js';
import { explainRateLimited, explainRefusal } from './logic/outcome.js';
import { challengePage, grantedPage, loggedOutPage, loginPage, messagePage } from './logic/pages.js';
import { checkAttempt, createRateState, recordFailure, recordSuccess } from './logic/rate-limit.js';
import { safeEqual, sameOrigin } from './logic/session.js';
import type { PermitPort, PortalLog } from './server.js';

/** A login session (server side; the cookie only names it). */
export interface PortalSession {
  readonly id: string;
  readonly csrf: string;
  readonly source: string;
  readonly expiresMs: number;
  /** Set while a RADIUS challenge waits for its one-time code. */
  challenge?: {
    readonly backend: string;
    readonly state: string;
    readonly prompt: string;
    readonly user: string;
    readonly seconds?: number;
  };
}

/** A page to send. */
export interface Reply {
  readonly status: number;
  readonly html: string;
}

/** The request flow. */
export interface LoginFlow {
  home(session: PortalSession): Reply;
  post(
    path: string,
    session: PortalSession,
    form: URLSearchParams | undefined,
    headers: { readonly host?: string; readonly origin?: string; readonly referer?: string },
  ): Promise<Reply>;
}

/** What the flow needs. */
export interface LoginFlowOptions {
  readonly site: string;
  readonly portal: Portal;
  readonly backend: AuthBackend;
  readonly permits: PermitPort;
  readonly log: PortalLog;
  readonly now: () => number;
  readonly onLogin?: (result: string) => void;
}

function utcText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Creates the flow with its own rate-limit state. */
export function createLoginFlow(o: LoginFlowOptions): LoginFlow {
  const rate = createRateState();
  const limits = { defaultSeconds: o.portal.grantDefaultSeconds, maxSeconds: o.portal.grantMaxSeconds };
  const durations = durationChoices(limits);
  const count = (result: string) => o.onLogin?.(result);

  const login = (session: PortalSession, status: number, message?: string, user?: string): Reply => ({
    status,
    html: loginPage({
      site: o.site,
      source: session.source,
      csrf: session.csrf,
      durations,
      defaultSeconds: Math.min(limits.defaultSeconds, limits.maxSeconds),
      ...(message === undefined ? {} : { message }),
      ...(user === undefined ? {} : { user }),
    }),
  });

  const granted = (session: PortalSession): Reply | undefined => {
    const permit = o.permits.active(session.source);
    if (!permit) return undefined;
    const role = o.portal.roles.find((r) => r.name === permit.role);
    const reach = role ? [`${role.to.map((e) => e.name).join(', ')}: ${role.services.join(', ')}`] : [];
    return {
      status: 200,
      html: grantedPage({
        site: o.site,
        csrf: session.csrf,
        user: permit.user,
        role: permit.role,
        source: session.source,
        reach,
        untilText: utcText(permit.untilMs),
        seconds: Math.max(0, Math.round((permit.untilMs - o.now()) / 1000)),
        permitId: permit.id,
      }),
    };
  };

  /** Acts on a backend's answer: a permit, a code prompt, or a refusal. */
  const decide = (session: PortalSession, user: string, outcome: AuthOutcome, asked?: number): Reply => {
    const source = session.source;
    if (outcome.kind === 'challenge') {
      session.challenge = {
        backend: outcome.backend,
        state: outcome.state,
        prompt: outcome.prompt,
        user,
        ...(asked === undefined ? {} : { seconds: asked }),
      };
      count('challenge');
      o.log.info('portal: one-time code asked', { source, user, backend: outcome.backend });
      return {
        status: 200,
        html: challengePage({
          site: o.site,
          csrf: session.csrf,
          prompt: outcome.prompt || 'Enter your one-time code.',
        }),
      };
    }
    session.challenge = undefined;
    if (outcome.kind === 'accept') {
      const role = o.portal.roles.find((r) => r.name === outcome.role);
      if (!role)
        return refuse(session, user, {
          kind: 'reject',
          backend: outcome.backend,
          reason: 'no-role',
          message: '',
        });
      const seconds = grantSeconds(
        { ...limits, ...(role.maxSeconds === undefined ? {} : { roleMaxSeconds: role.maxSeconds }) },
        asked,
      );
      recordSuccess(rate, source, user);
      try {
        const permit = o.permits.grant({
          source,
          user: outcome.user,
          role: role.name,
          backend: outcome.backend,
          seconds,
        });
        count('accepted');
        o.log.info('portal: permit granted', {
          source,
          user: outcome.user,
          role: role.name,
          backend: outcome.backend,
          seconds,
          permit: permit.id,
        });
      } catch (error) {
        count('kernel-error');
        o.log.error('portal: permit could not be opened', {
          source,
          user,
          role: role.name,
          error: (error as Error).message,
        });
        return {
          status: 500,
          html: messagePage(
            o.site,
            'Not opened',
            'Your sign-in was accepted, but access could not be opened. Nothing was opened; call the control room.',
          ),
        };
      }
      return (
        granted(session) ?? { status: 200, html: messagePage(o.site, 'Access granted', 'Access is open.') }
      );
    }
    return refuse(session, user, outcome);
  };

  const refuse = (
    session: PortalSession,
    user: string,
    outcome: Exclude<AuthOutcome, { kind: 'accept' } | { kind: 'challenge' }>,
  ): Reply => {
    const explained = explainRefusal(outcome);
    if (explained.outcome === 'bad-credentials') recordFailure(rate, session.source, user, o.now());
    count(explained.outcome);
    const fields = { source: session.source, user, outcome: explained.outcome, ...explained.log };
    if (explained.outcome === 'unavailable') o.log.error('portal: identity backend unavailable', fields);
    else o.log.warn('portal: login refused', fields);
    return login(session, explained.outcome === 'unavailable' ? 503 : 401, explained.person, user);
  };

  const post: LoginFlow['post'] = async (path, session, form, headers) => {
    if (!form || !sameOrigin(headers) || !safeEqual(form.get('csrf') ?? '', session.csrf)) {
      count('csrf');
      o.log.warn('portal: request refused (origin or CSRF token)', {
        source: session.source,
        path,
        origin: headers.origin ?? null,
      });
      return {
        status: 403,
        html: messagePage(
          o.site,
          'Refused',
          'This form has expired or did not come from this page. Please try again.',
        ),
      };
    }
    if (path === '/logout') {
      const ended = o.permits.logout(session.source);
      o.log.info('portal: logout', { source: session.source, ended });
      return { status: 200, html: loggedOutPage(o.site) };
    }
    const code = path === '/otp';
    const challenge = session.challenge;
    if (code && !challenge) return login(session, 400, 'Your sign-in expired. Please start again.');
    const user = code ? (challenge?.user ?? '') : (form.get('user') ?? '').trim();
    const password = form.get(code ? 'code' : 'password') ?? '';
    if (user === '' || password === '')
      return login(session, 400, 'Enter your user name and password.', user);
    const limit = checkAttempt(rate, session.source, user, o.now());
    if (!limit.ok) {
      const explained = explainRateLimited(limit.by, limit.retryAfterMs);
      count(explained.outcome);
      o.log.warn('portal: login rate-limited', { source: session.source, user, ...explained.log });
      return login(session, 429, explained.person, user);
    }
    const asked = code ? challenge?.seconds : Number(form.get('duration') ?? '');
    const outcome = await o.backend.authenticate({
      user,
      password,
      source: session.source,
      ...(code && challenge ? { challenge: { backend: challenge.backend, state: challenge.state } } : {}),
    });
    return decide(session, user, outcome, Number.isFinite(asked) ? asked : undefined);
  };

  return {
    home: (session) => granted(session) ?? login(session, 200),
    post,
  };
}
