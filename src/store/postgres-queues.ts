import type pg from 'pg';
import { decodeJson, encodeJson } from './codec.js';
import type { PgCtx } from './postgres.js';
import { inboxFromRow, OUTBOX_COLUMNS, outboxFromRow } from './postgres-rows.js';
import type { InboxStore, LeaseRequest, OutboxAddResult, OutboxItem, OutboxStore } from './types.js';

// Advisory lock namespaces (first key of pg_advisory_xact_lock(int, int)).
const INBOX_CLAIM = 0x62326b01;
const OUTBOX_DIALOGUE = 0x62326b02;
const OUTBOX_KEY = 0x62326b03;

const toLimit = (limit: number): number => (limit >= 1 ? Math.min(Math.floor(limit), 2_147_483_647) : 0);
const INBOX_COLUMNS = 'key, member_id, dialogue_key, payload, received_at';

// Pending events with, per row, whether it or an older pending event of its dialogue is leased (live) by another owner.
const INBOX_CLAIMABLE = `
  WITH pending AS (
    SELECT key, received_at, seq, lease_owner, lease_until,
      bool_or(lease_owner IS NOT NULL AND lease_owner <> $1 AND lease_until > $2) OVER (
        PARTITION BY member_id, dialogue_key ORDER BY received_at, seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
      ) AS blocked
    FROM inbox WHERE NOT done AND ($4::text IS NULL OR member_id = $4)
  )
  SELECT key FROM pending WHERE NOT blocked AND (lease_owner IS NULL OR lease_until <= $2)
  ORDER BY received_at, seq LIMIT $3`;

/** The inbox of the PostgreSQL store (see `InboxStore` for the semantics). */
export function pgInbox({ pool, clock, use, tx }: PgCtx): InboxStore {
  const q = (sql: string, values: unknown[] = []): Promise<pg.QueryResult> => use(() => pool.query(sql, values));
  return {
    inboxAdd: async (item, lease) => {
      const { rowCount } = await q(
        `INSERT INTO inbox (key, member_id, dialogue_key, payload, received_at, lease_owner, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO NOTHING`,
        [item.key, item.memberId, item.dialogueKey, item.payload, item.receivedAt, lease?.owner ?? null, lease ? clock() + lease.leaseMs : null],
      );
      return rowCount === 1;
    },
    // One claim at a time across the cluster: the scan and the lease are one step, so dialogue order holds.
    inboxClaim: (c) => use(() => tx(async (client) => {
      // Waits on the lock without a connection held for long: claims are short (one scan, one update).
      await client.query('SELECT pg_advisory_xact_lock($1, 0)', [INBOX_CLAIM]);
      const now = clock();
      const keys = (await client.query(INBOX_CLAIMABLE, [c.owner, now, toLimit(c.limit), c.memberId ?? null])).rows.map((r) => r.key as string);
      if (keys.length === 0) return [];
      const { rows } = await client.query(
        `UPDATE inbox SET lease_owner = $1, lease_until = $2 WHERE key = ANY($3) RETURNING ${INBOX_COLUMNS}, seq`,
        [c.owner, now + c.leaseMs, keys],
      );
      return rows.sort((a, b) => Number(a.received_at) - Number(b.received_at) || Number(a.seq) - Number(b.seq)).map(inboxFromRow);
    })),
    inboxRelease: async (owner) => (owner === undefined
      ? await q('UPDATE inbox SET lease_owner = NULL, lease_until = NULL WHERE NOT done AND lease_owner IS NOT NULL')
      : await q('UPDATE inbox SET lease_owner = NULL, lease_until = NULL WHERE NOT done AND lease_owner = $1', [owner])).rowCount ?? 0,
    inboxPendingMembers: async () => (await q('SELECT DISTINCT member_id FROM inbox WHERE NOT done')).rows.map((r) => r.member_id as string),
    inboxPendingCount: async () => Number((await q('SELECT count(*) AS n FROM inbox WHERE NOT done')).rows[0]?.n ?? 0),
    inboxPending: async (limit) =>
      (await q(`SELECT ${INBOX_COLUMNS} FROM inbox WHERE NOT done ORDER BY received_at, seq LIMIT $1`, [toLimit(limit)])).rows.map(inboxFromRow),
    inboxDone: async (key) =>
      void (await q('UPDATE inbox SET done = true, done_at = $1, lease_owner = NULL, lease_until = NULL WHERE key = $2 AND NOT done', [clock(), key])),
    inboxPrune: async (before) => (await q('DELETE FROM inbox WHERE done AND done_at < $1', [before])).rowCount ?? 0,
  };
}

type NewReply = Omit<OutboxItem, 'id' | 'attempts' | 'notBefore' | 'createdAt'>;
type Dialogue = { memberId: string; dialogueKey: string };

const lockDialogue = (c: pg.PoolClient, d: Dialogue): Promise<unknown> =>
  c.query('SELECT pg_advisory_xact_lock($1, hashtext($2 || \':\' || $3))', [OUTBOX_DIALOGUE, d.memberId, d.dialogueKey]);

const HEAD = `SELECT ${OUTBOX_COLUMNS}, lease_owner, lease_until FROM outbox WHERE member_id = $1 AND dialogue_key = $2 ORDER BY id LIMIT 1`;

// With `next`: leases the dialogue's new head to next.owner when it is ready and not leased (inside the dialogue's lock).
async function claimHead(c: pg.PoolClient, d: Dialogue, next: LeaseRequest | undefined, now: number): Promise<OutboxItem | null> {
  if (!next) return null;
  const head = (await c.query(HEAD, [d.memberId, d.dialogueKey])).rows[0];
  if (!head || Number(head.not_before) > now || (head.lease_owner !== null && Number(head.lease_until) > now)) return null;
  await c.query('UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id = $3', [next.owner, now + next.leaseMs, head.id]);
  return outboxFromRow(head);
}

async function addReply(c: pg.PoolClient, i: NewReply, lease: LeaseRequest | undefined, now: number): Promise<OutboxAddResult> {
  await lockDialogue(c, i);
  await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [OUTBOX_KEY, i.idempotencyKey]);
  const sent = (await c.query('SELECT result FROM outbox_sent WHERE idempotency_key = $1', [i.idempotencyKey])).rows[0];
  if (sent) return { status: 'delivered', result: decodeJson<unknown>(sent.result) };
  const queued = (await c.query('SELECT id FROM outbox WHERE idempotency_key = $1 LIMIT 1', [i.idempotencyKey])).rows[0];
  if (queued) return { status: 'pending', id: Number(queued.id) };
  const claimed = lease !== undefined && (await c.query(HEAD, [i.memberId, i.dialogueKey])).rowCount === 0;
  const { rows } = await c.query(
    `INSERT INTO outbox (member_id, dialogue_key, method, params, idempotency_key, attempts, not_before, created_at, lease_owner, lease_until)
     VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $7, $8) RETURNING id`,
    [i.memberId, i.dialogueKey, i.method, i.params, i.idempotencyKey, now, claimed ? lease.owner : null, claimed ? now + lease.leaseMs : null],
  );
  return { status: 'queued', id: Number(rows[0].id), claimed };
}

// Ready heads nobody holds, at most `perMember` per portal, oldest first.
const OUTBOX_CLAIMABLE = `
  WITH heads AS (
    SELECT DISTINCT ON (member_id, dialogue_key) id, member_id, not_before, lease_owner, lease_until
    FROM outbox ORDER BY member_id, dialogue_key, id
  ), ready AS (
    SELECT id, row_number() OVER (PARTITION BY member_id ORDER BY id) AS rn FROM heads
    WHERE not_before <= $1 AND (lease_owner IS NULL OR lease_until <= $1) AND NOT (member_id = ANY($2))
  )
  SELECT id FROM ready WHERE rn <= $3 ORDER BY id LIMIT $4`;

/** The outbox of the PostgreSQL store (see `OutboxStore` for the semantics). */
export function pgOutbox({ pool, clock, use, tx }: PgCtx): OutboxStore {
  const q = (sql: string, values: unknown[] = []): Promise<pg.QueryResult> => use(() => pool.query(sql, values));
  return {
    outboxAdd: (i, lease) => use(() => tx((c) => addReply(c, i, lease, clock()))),
    outboxClaim: (c) => use(async () => {
      const now = clock();
      const ids = (await pool.query(OUTBOX_CLAIMABLE, [now, [...(c.skipMembers ?? [])], toLimit(c.perMember ?? 2_147_483_647), toLimit(c.limit)]))
        .rows.map((r) => r.id as string);
      if (ids.length === 0) return [];
      // The guard re-checks each row as it is now: of two concurrent claims only one leases it.
      const { rows } = await pool.query(
        `UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id = ANY($3) AND (lease_owner IS NULL OR lease_until <= $4)
         RETURNING ${OUTBOX_COLUMNS}`, [c.owner, now + c.leaseMs, ids, now]);
      return rows.map(outboxFromRow).sort((a, b) => a.id - b.id);
    }),
    outboxDelivered: (item, result, next) => use(() => tx(async (c) => {
      await lockDialogue(c, item);
      const now = clock();
      await c.query('DELETE FROM outbox WHERE id = $1', [item.id]);
      await c.query(
        `INSERT INTO outbox_sent (idempotency_key, result, sent_at) VALUES ($1, $2, $3)
         ON CONFLICT (idempotency_key) DO UPDATE SET result = EXCLUDED.result, sent_at = EXCLUDED.sent_at`,
        [item.idempotencyKey, encodeJson(result ?? null), now]);
      return claimHead(c, item, next, now);
    })),
    outboxRetry: async (id, notBefore) =>
      void (await q('UPDATE outbox SET attempts = attempts + 1, not_before = $1, lease_owner = NULL, lease_until = NULL WHERE id = $2', [notBefore, id])),
    outboxDead: (id, reason, next) => use(async () => {
      const row = (await pool.query('SELECT member_id, dialogue_key FROM outbox WHERE id = $1', [id])).rows[0];
      if (!row) return null;
      const d: Dialogue = { memberId: row.member_id, dialogueKey: row.dialogue_key };
      return tx(async (c) => {
        await lockDialogue(c, d);
        const now = clock();
        const moved = await c.query(
          `INSERT INTO outbox_dead (${OUTBOX_COLUMNS}, reason, dead_at) SELECT ${OUTBOX_COLUMNS}, $1, $2 FROM outbox WHERE id = $3`, [reason, now, id]);
        if (moved.rowCount === 0) return null;
        await c.query('DELETE FROM outbox WHERE id = $1', [id]);
        return claimHead(c, d, next, now);
      });
    }),
    outboxRelease: async (owner) => (owner === undefined
      ? await q('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL')
      : await q('UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [owner])).rowCount ?? 0,
    outboxSent: async (key) => {
      const row = (await q('SELECT result FROM outbox_sent WHERE idempotency_key = $1', [key])).rows[0];
      return row ? { result: decodeJson<unknown>(row.result) } : null;
    },
    outboxPrune: async (before) => (await q('DELETE FROM outbox_sent WHERE sent_at < $1', [before])).rowCount ?? 0,
    outboxPending: async (limit, now) => (await q(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE id IN (SELECT min(id) FROM outbox GROUP BY member_id, dialogue_key)
       AND not_before <= $1 ORDER BY id LIMIT $2`, [Math.min(now, Number.MAX_SAFE_INTEGER), toLimit(limit)])).rows.map(outboxFromRow),
    outboxDeadList: async (limit, memberId) => (await q(
      `SELECT ${OUTBOX_COLUMNS}, reason FROM outbox_dead WHERE ($2::text IS NULL OR member_id = $2) ORDER BY dead_at DESC, id DESC LIMIT $1`,
      [toLimit(limit), memberId ?? null],
    )).rows.map((r) => ({ ...outboxFromRow(r), reason: r.reason as string })),
    outboxQueued: async (memberId, limit) => (await q(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE member_id = $1 ORDER BY id LIMIT $2`, [memberId, toLimit(limit)],
    )).rows.map(outboxFromRow),
    // The delete and the insert commit together; a second retry of the same letter waits on its row, then finds nothing.
    outboxDeadRetry: (id, memberId) => use(() => tx(async (c) => {
      const row = (await c.query(
        `DELETE FROM outbox_dead WHERE id = $1 AND ($2::text IS NULL OR member_id = $2) RETURNING ${OUTBOX_COLUMNS}`, [id, memberId ?? null],
      )).rows[0];
      if (!row) return null;
      const d = outboxFromRow(row);
      return addReply(c, { memberId: d.memberId, dialogueKey: d.dialogueKey, method: d.method, params: d.params, idempotencyKey: d.idempotencyKey }, undefined, clock());
    })),
    outboxDeadDiscard: async (id, memberId) =>
      ((await q('DELETE FROM outbox_dead WHERE id = $1 AND ($2::text IS NULL OR member_id = $2)', [id, memberId ?? null])).rowCount ?? 0) > 0,
  };
}
