/** One row of the fetch-mode event table (v2 facts §8). */
export interface QueuedEvent {
  eventId: number;
  botId: number;
  type: string;
  date: string;
  data: Record<string, unknown>;
  atMs: number;
}

/** What `imbot.v2.Event.get` answers. */
export interface EventPage {
  events: Array<{ eventId: number; type: string; date: string; data: Record<string, unknown> }>;
  nextOffset: number;
  hasMore: boolean;
}

const RETENTION_MS = 24 * 3_600_000;

/**
 * The event table of v2 fetch-mode bots: ids come from one emulator-wide sequence (so one bot's ids
 * have gaps), a read with `offset` deletes that bot's older rows first, rows older than 24 h vanish.
 */
export class EventLog {
  readonly #rows: QueuedEvent[] = [];
  readonly #nextId: () => number;

  constructor(nextId: () => number) {
    this.#nextId = nextId;
  }

  /** Appends an event for a bot. */
  append(botId: number, type: string, date: string, data: Record<string, unknown>, nowMs: number): QueuedEvent {
    const row: QueuedEvent = { eventId: this.#nextId(), botId, type, date, data, atMs: nowMs };
    this.#rows.push(row);
    return row;
  }

  /** Acknowledges rows below `offset` (when > 0), then returns up to `limit` rows from `offset` on. */
  read(botId: number, offset: number, limit: number, nowMs: number): EventPage {
    this.#purge(nowMs);
    if (offset > 0) this.#remove((r) => r.botId === botId && r.eventId < offset);
    const rows = this.#rows.filter((r) => r.botId === botId && r.eventId >= offset).slice(0, limit);
    const last = rows.at(-1);
    return {
      events: rows.map((r) => ({ eventId: r.eventId, type: r.type, date: r.date, data: structuredClone(r.data) })),
      nextOffset: last ? Math.max(offset, last.eventId + 1) : offset,
      hasMore: rows.length >= limit,
    };
  }

  /** Rows still waiting for a bot. */
  pending(botId: number): number {
    return this.#rows.filter((r) => r.botId === botId).length;
  }

  /** Drops every row of a deleted bot. */
  dropBot(botId: number): void {
    this.#remove((r) => r.botId === botId);
  }

  #purge(nowMs: number): void {
    this.#remove((r) => nowMs - r.atMs > RETENTION_MS);
  }

  #remove(test: (r: QueuedEvent) => boolean): void {
    let w = 0;
    for (const row of this.#rows) if (!test(row)) this.#rows[w++] = row;
    this.#rows.length = w;
  }
}
