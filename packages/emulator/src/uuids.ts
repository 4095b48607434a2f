/**
 * Message UUIDs of a portal (v2 `fields.templateId`), as the platform's im module keeps them
 * (`modules/im/lib/Message/Uuid.php` and `V2/Message/Send/SendingService::checkDuplicateByUuid`,
 * public mirror avshatalov48/bitrix-core-business):
 * - only a lowercase UUIDv4 counts (`Uuid::validate`); anything else is ignored, with no dedupe;
 * - one table for the whole portal: the same UUID in another chat, or from another bot, is a repeat;
 * - a repeat after the first send stored its message answers that message's id and posts nothing;
 * - a repeat while the first send is still running answers `MESSAGE_DUPLICATED_BY_UUID`, unless the
 *   claim is older than an hour (`Uuid::TTL`), then the claim is renewed and the message is sent.
 */

/** The platform's `Uuid::validate` pattern. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const CLAIM_TTL_MS = 3_600_000;

/** What a send with a UUID must do. */
export type UuidClaim =
  | { kind: 'send' }
  | { kind: 'existing'; messageId: number }
  | { kind: 'inFlight' };

interface Row {
  messageId: number | null;
  claimedAt: number;
}

/** The portal-wide UUID table. */
export class MessageUuids {
  readonly #rows = new Map<string, Row>();

  /** True when the platform would keep `uuid` (a lowercase UUIDv4). */
  static valid(uuid: string): boolean {
    return UUID_V4.test(uuid);
  }

  /** Claims `uuid` for a send starting at `now` (INSERT IGNORE), or says why it must not send. */
  claim(uuid: string, now: number): UuidClaim {
    const row = this.#rows.get(uuid);
    if (!row) {
      this.#rows.set(uuid, { messageId: null, claimedAt: now });
      return { kind: 'send' };
    }
    if (row.messageId !== null) return { kind: 'existing', messageId: row.messageId };
    if (now - row.claimedAt <= CLAIM_TTL_MS) return { kind: 'inFlight' };
    row.claimedAt = now;
    return { kind: 'send' };
  }

  /** Records the message a claimed send stored. */
  complete(uuid: string, messageId: number): void {
    const row = this.#rows.get(uuid);
    if (row) row.messageId = messageId;
  }
}
