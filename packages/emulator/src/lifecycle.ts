import { EmulatorError } from './errors.js';
import { encodePhpForm } from './php-form.js';
import { removeBot } from './bot-removal.js';
import type { PayloadEnv } from './event-intent.js';

/** What a test may forge in an install event. */
export type InstallForge = Partial<{
  clientEndpoint: string; domain: string; accessToken: string; applicationToken: string;
  /** Whose token pair the event carries (default 1, the admin). */
  userId: number;
  /** ONAPPUPDATE carries the same auth block (facts §2.4) with `data[PREVIOUS_VERSION]`. */
  event: 'ONAPPINSTALL' | 'ONAPPUPDATE';
}>;

/** The HTTP answer of an app handler. */
export interface HandlerAnswer {
  status: number;
  body: unknown;
}

async function postForm(env: PayloadEnv, url: string, form: Record<string, unknown>): Promise<HandlerAnswer> {
  const res = await env.core.poster.post(url, encodePhpForm(form));
  if (res.status === null) throw new EmulatorError('EMULATOR_USAGE', `the handler ${url} did not answer: ${res.error ?? 'no answer'}`);
  let body: unknown = res.body;
  try {
    body = JSON.parse(res.body);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

/**
 * Sends ONAPPINSTALL (facts §2.3, flat form, every scalar a string) with a fresh pair for user 1.
 * The app's OAuth grants before it stay valid.
 */
export function sendInstall(env: PayloadEnv, handlerUrl: string, forge: InstallForge = {}): Promise<HandlerAnswer> {
  const userId = forge.userId ?? 1;
  const grant = env.core.tokens.issue(env.portal.memberId, userId);
  const update = forge.event === 'ONAPPUPDATE';
  const form = {
    event: update ? 'ONAPPUPDATE' : 'ONAPPINSTALL',
    data: update ? { VERSION: '2', PREVIOUS_VERSION: '1', LANGUAGE_ID: 'en' } : { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
    ts: Math.floor(env.core.clock() / 1000),
    auth: {
      access_token: forge.accessToken ?? grant.accessToken, expires: Math.floor(grant.expiresAt / 1000),
      expires_in: env.core.tokens.ttlS, scope: 'imbot,im', domain: forge.domain ?? env.portal.domain,
      server_endpoint: env.core.serverEndpoint, status: 'L', client_endpoint: forge.clientEndpoint ?? env.portal.clientEndpoint,
      member_id: env.portal.memberId, user_id: userId, refresh_token: grant.refreshToken,
      application_token: forge.applicationToken ?? env.portal.applicationToken,
    },
  };
  return postForm(env, handlerUrl, form);
}

/**
 * Removes the app (facts §2.5): its bots are unregistered without events, its tokens stop working,
 * then ONAPPUNINSTALL (no tokens, only the application token) goes to `handlerUrl`. With a forged
 * `applicationToken` only the event is sent: a forgery changes nothing on the portal.
 */
export function sendUninstall(env: PayloadEnv, handlerUrl: string, opts: { applicationToken?: string; clean?: boolean } = {}): Promise<HandlerAnswer> {
  const forged = opts.applicationToken !== undefined && opts.applicationToken !== env.portal.applicationToken;
  if (!forged) {
    for (const bot of env.portal.bots.ofOwner(env.core.clientId)) removeBot(env, bot, 1, false);
    env.core.tokens.revokeAll(env.portal.memberId);
  }
  const form = {
    event: 'ONAPPUNINSTALL',
    data: { LANGUAGE_ID: 'en', CLEAN: opts.clean ? 1 : 0 },
    ts: Math.floor(env.core.clock() / 1000),
    auth: {
      domain: env.portal.domain, server_endpoint: env.core.serverEndpoint, client_endpoint: env.portal.clientEndpoint,
      member_id: env.portal.memberId, application_token: opts.applicationToken ?? env.portal.applicationToken,
    },
  };
  return postForm(env, handlerUrl, form);
}
