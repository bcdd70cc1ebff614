// The portal's pages as HTML text: a plain form that works without
// JavaScript, inline CSS that fits a small laptop screen, every value
// escaped. Login (who, for how long), one-time code, granted (what is open and
// until when, logout), logged out, and a plain message. Data → HTML. Pure.

import { durationText } from './grant.js';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,sans-serif;background:#eef1f4;color:#1b2631}
main{max-width:28rem;margin:2rem auto;padding:1.25rem 1.5rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin:.2rem 0 .8rem}p{margin:.5rem 0}label{display:block;margin:.7rem 0 .2rem;font-weight:600}
input,select,button{width:100%;font:inherit;padding:.55rem .6rem;border:1px solid #8a97a5;border-radius:.3rem}
button{margin-top:1rem;background:#1d5fa7;color:#fff;border:0;font-weight:600;cursor:pointer}
.msg{padding:.6rem .7rem;border-radius:.3rem;background:#fdecea;color:#7a1c14}.ok{background:#e7f5ea;color:#1c5a2a}
.small{color:#4e5d6c;font-size:.9rem}ul{padding-left:1.2rem}
@media (max-width:480px){main{margin:0;border-radius:0;min-height:100vh}}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body><main>
${body}
</main></body></html>
`;
}

function message(text: string | undefined, ok = false): string {
  return text === undefined ? '' : `<p class="msg${ok ? ' ok' : ''}" role="alert">${escapeHtml(text)}</p>\n`;
}

const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

/** What the login page shows. */
export interface LoginView {
  readonly site: string;
  readonly source: string;
  readonly csrf: string;
  readonly durations: readonly number[];
  readonly defaultSeconds: number;
  readonly user?: string;
  readonly message?: string;
}

/** The sign-in form: user, password, how long. */
export function loginPage(v: LoginView): string {
  const options = v.durations
    .map(
      (s) =>
        `<option value="${s}"${s === v.defaultSeconds ? ' selected' : ''}>${escapeHtml(durationText(s))}</option>`,
    )
    .join('');
  return page(
    `Sign in — ${v.site}`,
    `<h1>Network access — ${escapeHtml(v.site)}</h1>
<p>This device (${escapeHtml(v.source)}) is not known on this network. Sign in to open what your role allows, for a limited time.</p>
${message(v.message)}<form method="post" action="/login">
${hidden('csrf', v.csrf)}
<label for="user">User name</label><input id="user" name="user" autocomplete="username" required value="${escapeHtml(v.user ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="duration">For how long</label><select id="duration" name="duration">${options}</select>
<button type="submit">Sign in</button>
</form>
<p class="small">Access ends on its own when the time is up, when you sign out, or when the operator revokes it. Every sign-in is recorded.</p>`,
  );
}

/** What the one-time-code page shows. */
export interface ChallengeView {
  readonly site: string;
  readonly csrf: string;
  readonly prompt: string;
  readonly message?: string;
}

/** The second step of a RADIUS challenge: the one-time code. */
export function challengePage(v: ChallengeView): string {
  return page(
    `One-time code — ${v.site}`,
    `<h1>One-time code</h1>
<p>${escapeHtml(v.prompt)}</p>
${message(v.message)}<form method="post" action="/otp">
${hidden('csrf', v.csrf)}
<label for="code">Code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Continue</button>
</form>`,
  );
}

/** What the page after a successful sign-in shows. */
export interface GrantedView {
  readonly site: string;
  readonly csrf: string;
  readonly user: string;
  readonly role: string;
  readonly source: string;
  readonly reach: readonly string[];
  readonly untilText: string;
  readonly seconds: number;
  readonly permitId: string;
}

/** Signed in: who, which role, what is open, until when; the sign-out button. */
export function grantedPage(v: GrantedView): string {
  const reach = v.reach.map((r) => `<li>${escapeHtml(r)}</li>`).join('');
  return page(
    `Access granted — ${v.site}`,
    `<h1>Access granted</h1>
${message(`Signed in as ${v.user} (role ${v.role}) for ${durationText(v.seconds)}, until ${v.untilText}.`, true)}
<p>From this device (${escapeHtml(v.source)}) you may now reach:</p><ul>${reach}</ul>
<p class="small">Permit ${escapeHtml(v.permitId)}. Nothing else is open. Sign out when you are done.</p>
<form method="post" action="/logout">${hidden('csrf', v.csrf)}<button type="submit">Sign out</button></form>`,
  );
}

/** Signed out: access is closed. */
export function loggedOutPage(site: string): string {
  return page(
    `Signed out — ${site}`,
    `<h1>Signed out</h1>${message('Your access is closed.', true)}<p><a href="/">Sign in again</a></p>`,
  );
}

/** A plain message with a way back to the start. */
export function messagePage(site: string, title: string, text: string): string {
  return page(
    `${title} — ${site}`,
    `<h1>${escapeHtml(title)}</h1>${message(text)}<p><a href="/">Back to sign-in</a></p>`,
  );
}
