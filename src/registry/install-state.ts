import { BotkitError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CallOptions } from '../rest/client.js';
import type { PortalRecord, TokenStore } from '../store/types.js';

/** What checking an install needs: the portal's record and REST calls with its stored credentials. */
export interface InstallCheckDeps {
  store: Pick<TokenStore, 'getPortal' | 'setPortalStatus'>;
  client: { call<T = unknown>(memberId: string, method: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<T> };
  log: Logger;
  clock?: () => number;
}

/** What one check found. */
export interface InstallCheck {
  memberId: string;
  /** `app.info` INSTALLED; null when it could not be asked (see `error`). */
  installed: boolean | null;
  /** The portal's status after the check; null for an unknown portal. */
  status: PortalRecord['status'] | null;
  checkedAt: number;
  /** Why `installed` is null: no such portal, not an OAuth portal, or the call's error code. */
  error?: string;
}

/** Each `app.info` of a check gets this long (ms). */
export const INSTALL_CHECK_TIMEOUT_MS = 10_000;

const UNFINISHED_HINT = 'the install page did not call BX24.installFinish(), so the portal sends no events to the app; '
  + 'an administrator must open the application in Bitrix24 to finish the installation';

/**
 * Asks the portal whether the app's installation is finished (`app.info` INSTALLED; DOC
 * settings/app-installation/installation-finish.md: a UI app is "not installed", and gets no events, until
 * its install page calls `installFinish`). A finished install leaves or turns the portal `active`; an
 * unfinished one marks it `install_unfinished` and logs a warning. A portal whose refresh token was refused
 * (`reinstall_required`) keeps that status. Never throws: a failed call is reported in `error`.
 *
 * @example
 * const check = await checkInstallFinished({ store, client, log }, memberId);
 * if (check.installed === false) console.log('install not finished');
 */
export async function checkInstallFinished(deps: InstallCheckDeps, memberId: string, opts: { signal?: AbortSignal } = {}): Promise<InstallCheck> {
  const now = (deps.clock ?? Date.now)();
  const portal = await deps.store.getPortal(memberId);
  if (!portal) return { memberId, installed: null, status: null, checkedAt: now, error: 'unknown portal' };
  // Only an app has an installation (app.info answers a webhook with ACCESS_DENIED).
  if (portal.authMode !== 'oauth') return { memberId, installed: null, status: portal.status, checkedAt: now, error: 'not an OAuth portal' };
  let info: unknown;
  try {
    const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(INSTALL_CHECK_TIMEOUT_MS)]) : AbortSignal.timeout(INSTALL_CHECK_TIMEOUT_MS);
    info = await deps.client.call(memberId, 'app.info', {}, { signal, noBatch: true });
  } catch (e) {
    const error = e instanceof BotkitError ? e.code : e instanceof Error ? e.name : 'unknown';
    deps.log.warn('install check failed: app.info did not answer', { memberId, code: error });
    return { memberId, installed: null, status: portal.status, checkedAt: now, error };
  }
  const installed = (info as { INSTALLED?: unknown } | null)?.INSTALLED === true;
  let status = portal.status;
  if (!installed) {
    deps.log.warn(`app installation not finished: ${UNFINISHED_HINT}`, { memberId, domain: portal.domain });
    if (status === 'active') status = 'install_unfinished';
  } else if (status === 'install_unfinished') {
    deps.log.info('app installation finished', { memberId, domain: portal.domain });
    status = 'active';
  }
  if (status !== portal.status) await deps.store.setPortalStatus(memberId, status);
  return { memberId, installed, status, checkedAt: now };
}

/** Options of {@link createInstallState}. */
export interface InstallStateOptions extends InstallCheckDeps {
  /** A check that did not find the install finished is repeated at most this often (ms). Default 15 s. */
  minIntervalMs?: number;
  /** Runs `fn` once after `delayMs` and returns its cancel function. Default: an unref'd `setTimeout`. */
  later?: (fn: () => void, delayMs: number) => () => void;
}

function timer(fn: () => void, delayMs: number): () => void {
  const t = setTimeout(fn, delayMs);
  t.unref();
  return () => clearTimeout(t);
}

/** The server's install checks: throttled per portal, one at a time per portal, stoppable. */
export interface InstallState {
  /**
   * {@link checkInstallFinished}, without hammering the portal: a finished install is remembered (until
   * {@link forget}), an unfinished or failed one for `minIntervalMs`; concurrent callers share one call.
   */
  check(memberId: string): Promise<InstallCheck>;
  /** Drops what is remembered of a portal (it was installed again). */
  forget(memberId: string): void;
  /** Checks `memberId` once after `delayMs` (after an install page was served). */
  schedule(memberId: string, delayMs: number): void;
  /** Cancels scheduled checks, aborts running ones and waits for them. */
  stop(): Promise<void>;
}

/** Creates the server's {@link InstallState}. */
export function createInstallState(opts: InstallStateOptions): InstallState {
  const clock = opts.clock ?? Date.now;
  const minIntervalMs = opts.minIntervalMs ?? 15_000;
  const known = new Map<string, InstallCheck>();
  const running = new Map<string, Promise<InstallCheck>>();
  const later = opts.later ?? timer;
  const scheduled = new Set<() => void>();
  const abort = new AbortController();

  const check = (memberId: string): Promise<InstallCheck> => {
    if (abort.signal.aborted) return Promise.resolve({ memberId, installed: null, status: null, checkedAt: clock(), error: 'stopped' });
    const last = known.get(memberId);
    if (last && (last.installed === true || clock() - last.checkedAt < minIntervalMs)) return Promise.resolve(last);
    let pending = running.get(memberId);
    if (!pending) {
      pending = checkInstallFinished(opts, memberId, { signal: abort.signal }).then((found) => {
        known.set(memberId, found);
        return found;
      }).finally(() => running.delete(memberId));
      running.set(memberId, pending);
    }
    return pending;
  };

  return {
    check,
    forget: (memberId) => void known.delete(memberId),
    schedule(memberId, delayMs) {
      const cancel = later(() => {
        scheduled.delete(cancel);
        known.delete(memberId);
        check(memberId).catch((e: unknown) => opts.log.warn('install check failed', { memberId, err: e }));
      }, delayMs);
      scheduled.add(cancel);
    },
    async stop() {
      for (const cancel of scheduled) cancel();
      scheduled.clear();
      abort.abort();
      await Promise.allSettled([...running.values()]);
    },
  };
}
