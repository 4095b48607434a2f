import { PortalError } from '../portal-error.js';
import type { MethodHandler } from '../rest.js';
import { isoDate } from '../views.js';

/**
 * `app.info` answers only with app context; a webhook gets 400 ACCESS_DENIED (facts §8). `INSTALLED` is false
 * while a UI app's install page has not called `installFinish` (DOC settings/app-installation/installation-finish.md).
 */
const appInfo: MethodHandler = (ctx) => {
  if (ctx.caller.kind !== 'oauth') throw new PortalError('ACCESS_DENIED', 'Application context required', 400);
  return {
    ID: 1, CODE: ctx.caller.clientId, VERSION: 1, STATUS: 'L', INSTALLED: ctx.portal.installFinished, PAYMENT_EXPIRED: 'N', DAYS: null,
    LANGUAGE_ID: 'en', LICENSE: 'en_project', LICENSE_TYPE: 'project', LICENSE_FAMILY: 'project',
  };
};

/**
 * `profile` (DOC `api-reference/common/users/profile.md`): `ID` is a string, `ADMIN` equals `user.admin`,
 * `TIME_ZONE` is '' when not set, `PERSONAL_PHOTO` is returned only when a photo was uploaded (the emulator's
 * users have none).
 */
const profile: MethodHandler = (ctx) => {
  const u = ctx.portal.directory.get(ctx.caller.userId);
  return {
    ID: String(ctx.caller.userId), ADMIN: u?.admin ?? false, NAME: u?.firstName ?? '', LAST_NAME: u?.lastName ?? '',
    PERSONAL_GENDER: u?.gender ?? '', TIME_ZONE: '',
  };
};

const userCurrent: MethodHandler = (ctx) => {
  const u = ctx.portal.directory.get(ctx.caller.userId);
  return {
    ID: String(ctx.caller.userId), XML_ID: '', ACTIVE: true, NAME: u?.firstName ?? '', LAST_NAME: u?.lastName ?? '',
    EMAIL: `user${ctx.caller.userId}@example.com`, WORK_POSITION: u?.workPosition ?? '', PERSONAL_GENDER: u?.gender ?? '',
    IS_ONLINE: 'Y', UF_DEPARTMENT: [1],
  };
};

/**
 * `user.admin` (DOC `api-reference/common/users/user-admin.md`: scope basic, any user, no parameters):
 * `true` when the calling user may manage app settings, `false` otherwise; the same as `profile`'s ADMIN.
 */
const userAdmin: MethodHandler = (ctx) => ctx.portal.directory.get(ctx.caller.userId)?.admin ?? false;

/** `app.info`, `profile`, `user.admin`, `user.current`, `server.time`. */
export const commonMethods: Record<string, MethodHandler> = {
  'app.info': appInfo,
  profile,
  'user.admin': userAdmin,
  'user.current': userCurrent,
  'server.time': (ctx) => isoDate(ctx.core.clock()),
};
