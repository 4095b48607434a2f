import type { AuthMode, BotRecord, CommandRecord, InboxItem, OutboxItem, PortalRecord } from './types.js';

/** Columns of a `portals` row, in insert order. */
export const PORTAL_COLUMNS = [
  'member_id', 'domain', 'client_endpoint', 'auth_mode', 'application_token', 'access_token',
  'refresh_token', 'expires_at', 'status', 'rate_limit', 'installed_at', 'updated_at',
] as const;
/** Columns of a `bots` row, in insert order. */
export const BOT_COLUMNS = ['member_id', 'code', 'bot_id', 'api', 'event_mode', 'bot_token', 'registered_at', 'handler_url', 'spec'] as const;
/** The columns of an outbox item (the dead-letter table adds reason and dead_at). */
export const OUTBOX_COLUMNS = 'id, member_id, dialogue_key, method, params, idempotency_key, attempts, not_before, created_at';

type Row = Record<string, unknown>;
const str = (v: unknown): string => v as string;
const num = (v: unknown): number => Number(v);
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** An upsert of whole records (`INSERT ... ON CONFLICT DO UPDATE`), never a delete and re-insert. */
export function upsertSql(table: string, columns: readonly string[], keys: readonly string[]): string {
  const updates = columns.filter((c) => !keys.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

/** The values of a portal in {@link PORTAL_COLUMNS} order. */
export function portalValues(p: PortalRecord): unknown[] {
  return [p.memberId, p.domain, p.clientEndpoint, p.authMode, p.applicationToken, p.accessToken, p.refreshToken,
    p.expiresAt, p.status, p.rateLimit, p.installedAt, p.updatedAt];
}

/** A portal record from its row. */
export function portalFromRow(r: Row): PortalRecord {
  return {
    memberId: str(r['member_id']), domain: str(r['domain']), clientEndpoint: str(r['client_endpoint']),
    authMode: str(r['auth_mode']) as AuthMode, applicationToken: optStr(r['application_token']),
    accessToken: optStr(r['access_token']), refreshToken: optStr(r['refresh_token']), expiresAt: optNum(r['expires_at']),
    status: str(r['status']) as PortalRecord['status'], rateLimit: optStr(r['rate_limit']),
    installedAt: num(r['installed_at']), updatedAt: num(r['updated_at']),
  };
}

/** The values of a bot in {@link BOT_COLUMNS} order. */
export function botValues(b: BotRecord): unknown[] {
  return [b.memberId, b.code, b.botId, b.api, b.eventMode, b.botToken, b.registeredAt, b.handlerUrl, b.spec ?? null];
}

/** The optional `spec` of a bot or command row (absent when NULL). */
function specOf(r: Row): { spec?: string } {
  const spec = optStr(r['spec']);
  return spec === null ? {} : { spec };
}

/** A bot record from its row. */
export function botFromRow(r: Row): BotRecord {
  return {
    memberId: str(r['member_id']), code: str(r['code']), botId: num(r['bot_id']), api: str(r['api']) as BotRecord['api'],
    eventMode: str(r['event_mode']) as BotRecord['eventMode'], botToken: optStr(r['bot_token']),
    handlerUrl: optStr(r['handler_url']), registeredAt: num(r['registered_at']), ...specOf(r),
  };
}

/** A command record from its row. */
export function commandFromRow(r: Row): CommandRecord {
  return { memberId: str(r['member_id']), botCode: str(r['bot_code']), command: str(r['command']), commandId: num(r['command_id']), ...specOf(r) };
}

/** An inbox item from its row. */
export function inboxFromRow(r: Row): InboxItem {
  return {
    key: str(r['key']), memberId: str(r['member_id']), dialogueKey: str(r['dialogue_key']), payload: str(r['payload']),
    receivedAt: num(r['received_at']),
  };
}

/** An outbox item from its row. */
export function outboxFromRow(r: Row): OutboxItem {
  return {
    id: num(r['id']), memberId: str(r['member_id']), dialogueKey: str(r['dialogue_key']), method: str(r['method']),
    params: str(r['params']), idempotencyKey: str(r['idempotency_key']), attempts: num(r['attempts']),
    notBefore: num(r['not_before']), createdAt: num(r['created_at']),
  };
}
