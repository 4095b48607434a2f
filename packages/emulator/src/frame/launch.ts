import type { Core } from '../core.js';
import type { PortalState } from '../portal-state.js';
import type { AppLaunch } from '../types.js';

/** What {@link openFrame} needs. */
export interface OpenOptions {
  userId: number;
  /** The app's page. */
  url: string;
  /** The app's install page; default `url` (a local app may have one handler for both). */
  install?: string;
  lang?: string;
  placement?: string;
}

/** An opened frame, or null: a non-administrator opened a UI app whose installation is not finished. */
export type OpenedFrame = AppLaunch | null;

function httpUrl(value: string, name: string): URL {
  let u: URL | null = null;
  try {
    u = new URL(value);
  } catch {
    // reported below
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) throw new Error(`${name} must be an http(s) URL of the app`);
  return u;
}

/**
 * One opening of the app by a user (DOC settings/oauth/simple-way.md): a new `APP_SID`, a fresh token pair
 * of that user, the query the portal adds to the app URL and the POST fields. Before `installFinish`
 * (DOC settings/app-installation/installation-finish.md) an administrator gets the install page and
 * anyone else nothing. Throws for a URL that is not http(s).
 */
export function openFrame(core: Core, state: PortalState, opts: OpenOptions): OpenedFrame {
  const user = state.directory.get(opts.userId);
  if (!user || user.isBot) throw new Error(`user: no user ${opts.userId} on this portal`);
  const url = httpUrl(opts.url, 'url');
  const installUrl = opts.install === undefined ? url : httpUrl(opts.install, 'install');
  const install = !state.installFinished;
  if (install && !user.admin) return null;
  const target = install ? installUrl : url;
  const session = state.frames.open({ userId: user.id, appOrigin: target.origin, install, createdAt: core.clock() });
  const grant = core.tokens.issue(state.memberId, user.id);
  const protocol = core.url.startsWith('https:') ? 1 : 0;
  const placement = opts.placement ?? 'DEFAULT';
  const query = { DOMAIN: state.domain, PROTOCOL: String(protocol), LANG: opts.lang ?? 'en', APP_SID: session.appSid };
  const action = new URL(target);
  for (const [k, v] of Object.entries(query)) action.searchParams.set(k, v);
  const auth = { AUTH_ID: grant.accessToken, AUTH_EXPIRES: String(core.tokens.ttlS), REFRESH_ID: grant.refreshToken };
  return {
    url: action.toString(), appSid: session.appSid, frameName: `${state.domain}|${protocol}|${session.appSid}`,
    appOrigin: target.origin, install,
    form: {
      ...auth, SERVER_ENDPOINT: core.serverEndpoint, APPLICATION_TOKEN: state.applicationToken, APPLICATION_SCOPE: 'imbot,im',
      member_id: state.memberId, status: 'L', PLACEMENT: placement,
    },
    init: {
      ...query, PROTOCOL: protocol, PATH: '/rest', ...auth, AUTH_EXPIRES: core.tokens.ttlS, MEMBER_ID: state.memberId,
      IS_ADMIN: user.admin, INSTALL: install, FIRST_RUN: false, PLACEMENT: placement, PLACEMENT_OPTIONS: {},
      USER_OPTIONS: {}, APP_OPTIONS: {},
    },
  };
}

/** The install page of `appSid` called `installFinish`: the app counts as installed. False (no effect) otherwise. */
export function finishInstall(core: Core, state: PortalState, appSid: string): boolean {
  const session = state.frames.get(appSid);
  const user = session ? state.directory.get(session.userId) : undefined;
  if (!session || !session.install || !user?.admin) return false;
  state.installFinished = true;
  state.frames.end(appSid);
  core.log.info('emulator: app installation finished (installFinish)', { memberId: state.memberId, userId: user.id });
  return true;
}
