import { encodePhpForm } from '../../src/protocol/php-form.js';

/** The portal the benchmark's events claim to come from. */
export const BENCH_PORTAL = {
  memberId: '5f0c9e2d7b1a4c3e8d6f0a1b2c3d4e5f',
  domain: 'acme.bitrix24.com',
  applicationToken: 'd0c8a7e3f5b14c2a9e6f1b2c3d4e5f60',
};

const MARK = 987654321;
let template: [string, string] | null = null;

/** {@link buildBody} split around the message id, so that unique bodies cost one concatenation. */
export function benchBody(n: number): string {
  template ??= buildBody(MARK).split(String(MARK)) as [string, string];
  return `${template[0]}${1000 + n}${template[1]}`;
}

/** A realistic ONIMBOTV2MESSAGEADD webhook body (about 2 KB) with message id `id`. */
export function buildBody(id: number): string {
  const auth = {
    access_token: '9b1e5a6a0000071b0000083a000001c8f0b1c2', expires: '1778750793', expires_in: '3600', scope: 'imbot',
    domain: BENCH_PORTAL.domain, server_endpoint: 'https://oauth.bitrix24.tech/rest/', status: 'L',
    client_endpoint: `https://${BENCH_PORTAL.domain}/rest/`, member_id: BENCH_PORTAL.memberId, user_id: '456',
    refresh_token: '8a2f6b6a0000071b0000083a000001c8a7c2e4', application_token: BENCH_PORTAL.applicationToken,
  };
  return encodePhpForm({
    event: 'ONIMBOTV2MESSAGEADD', event_handler_id: '812', ts: String(Math.floor(Date.now() / 1000)),
    data: {
      bot: { id: '456', code: 'support_bot', auth },
      message: { id: String(id), chatId: '17', authorId: '1', date: '2026-05-14T10:26:32+02:00', text: 'Hello bot. How do I reset my VPN password?', isSystem: '0', uuid: '', viewedByOthers: '0' },
      chat: { id: '17', dialogId: '1', type: 'private', name: '', entityType: '', owner: '456', avatar: '', color: '#ab7761' },
      user: {
        id: '1', active: '1', name: 'John Smith', firstName: 'John', lastName: 'Smith', workPosition: 'Developer', color: '#df532d',
        avatar: '', gender: 'M', birthday: '', extranet: '0', bot: '0', connector: '0', externalAuthId: 'default', status: 'online',
        idle: '0', lastActivityDate: '0', absent: '0', departments: ['1'], phones: '0', type: 'employee',
      },
      language: 'en',
    },
    auth: { domain: BENCH_PORTAL.domain, client_endpoint: `https://${BENCH_PORTAL.domain}/rest/`, server_endpoint: 'https://oauth.bitrix24.tech/rest/', member_id: BENCH_PORTAL.memberId, application_token: BENCH_PORTAL.applicationToken },
  });
}
