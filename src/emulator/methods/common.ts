import { PortalError } from '../portal-error.js';
import type { MethodHandler } from '../rest.js';
import { isoDate } from '../views.js';

/** `app.info` answers only with app context; a webhook gets 400 ACCESS_DENIED (facts §8). */
const appInfo: MethodHandler = (ctx) => {
  if (ctx.caller.kind !== 'oauth') throw new PortalError('ACCESS_DENIED', 'Application context required', 400);
  return {
    ID: 1, CODE: ctx.caller.clientId, VERSION: 1, STATUS: 'L', INSTALLED: true, PAYMENT_EXPIRED: 'N', DAYS: null,
    LANGUAGE_ID: 'en', LICENSE: 'en_project', LICENSE_TYPE: 'project', LICENSE_FAMILY: 'project',
  };
};

const profile: MethodHandler = (ctx) => {
  const u = ctx.portal.directory.get(ctx.caller.userId);
  return {
    ID: ctx.caller.userId, ADMIN: ctx.caller.userId === 1, NAME: u?.firstName ?? '', LAST_NAME: u?.lastName ?? '',
    PERSONAL_GENDER: u?.gender ?? '', PERSONAL_PHOTO: '', TIME_ZONE: '', TIME_ZONE_OFFSET: 0,
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

/** `app.info`, `profile`, `user.current`, `server.time`. */
export const commonMethods: Record<string, MethodHandler> = {
  'app.info': appInfo,
  profile,
  'user.current': userCurrent,
  'server.time': (ctx) => isoDate(ctx.core.clock()),
};
