/**
 * Decoders of the application lifecycle events (ONAPPINSTALL, ONAPPUPDATE, ONAPPUNINSTALL). Their `auth`
 * block is the payload: install and update carry the portal's OAuth pair.
 */
import type { EventEnvelope } from './decode.js';
import type { AppUpdateEvent, InstallAuth, InstallEvent, UninstallEvent } from './events.js';
import { toBool, toInt, toStr, type WireObject } from './wire.js';

/** What app decoders need besides `data` and `auth`. */
export interface AppDecodeContext {
  envelope: EventEnvelope;
  /** Unix milliseconds now, to turn `expires_in` into an absolute expiry. */
  now: number;
}

function installAuth(auth: WireObject, ctx: AppDecodeContext): InstallAuth {
  const expires = toInt(auth['expires'], 'auth[expires]');
  const expiresIn = toInt(auth['expires_in'], 'auth[expires_in]');
  const userId = toInt(auth['user_id'], 'auth[user_id]', -1);
  return {
    accessToken: toStr(auth['access_token'], 'auth[access_token]'),
    refreshToken: toStr(auth['refresh_token'], 'auth[refresh_token]'),
    // `expires` (absolute seconds) is not in every event; without either the token counts as expired.
    expiresAt: expires > 0 ? expires * 1000 : ctx.now + Math.max(expiresIn, 0) * 1000,
    domain: ctx.envelope.domain || toStr(auth['domain'], 'auth[domain]').toLowerCase(),
    clientEndpoint: toStr(auth['client_endpoint'], 'auth[client_endpoint]'),
    serverEndpoint: toStr(auth['server_endpoint'], 'auth[server_endpoint]'),
    memberId: ctx.envelope.memberId,
    applicationToken: ctx.envelope.applicationToken,
    userId: userId < 0 ? null : userId,
    // The event docs say space-separated, OAuth answers use commas: accept both.
    scope: toStr(auth['scope'], 'auth[scope]')
      .split(/[\s,]+/)
      .filter((s) => s !== ''),
  };
}

/** ONAPPINSTALL → `app_install` with the portal's OAuth data. */
export function decodeInstall(data: WireObject, auth: WireObject, ctx: AppDecodeContext): InstallEvent {
  const language = toStr(data['LANGUAGE_ID'], 'data[LANGUAGE_ID]');
  return { type: 'app_install', language, ts: ctx.envelope.ts, auth: installAuth(auth, ctx) };
}

/** ONAPPUPDATE → `app_update` (the docs say the application token may change with it). */
export function decodeAppUpdate(data: WireObject, auth: WireObject, ctx: AppDecodeContext): AppUpdateEvent {
  const language = toStr(data['LANGUAGE_ID'], 'data[LANGUAGE_ID]');
  return { type: 'app_update', language, ts: ctx.envelope.ts, auth: installAuth(auth, ctx) };
}

/** ONAPPUNINSTALL → `app_uninstall`; `clean` is true when the admin asked to delete the app's data. */
export function decodeUninstall(data: WireObject, _auth: WireObject, ctx: AppDecodeContext): UninstallEvent {
  const { envelope } = ctx;
  return {
    type: 'app_uninstall',
    ts: envelope.ts,
    memberId: envelope.memberId,
    domain: envelope.domain,
    applicationToken: envelope.applicationToken,
    clean: toBool(data['CLEAN']),
  };
}
