import { createLogger } from '../../src/log.js';
import type { AnyBotDefinition } from '../../src/router/bot.js';
import type { ReplySink } from '../../src/router/context.js';
import { createRuntime } from '../../src/router/runtime.js';
import { createMemoryStore } from '../../src/store/memory.js';
import type { BotEvent } from '../../src/protocol/events.js';
import type { Store } from '../../src/store/types.js';

/** A call a bot queued, as the sink saw it. */
export interface QueuedCall {
  method: string;
  params: Record<string, unknown>;
}

/** The runtime over a memory store with a recording sink: run events through real bot definitions. */
export interface RuntimeRig {
  store: Store;
  sent: QueuedCall[];
  handle(event: BotEvent): Promise<void>;
  /** The message texts of the calls queued since the last `take()` (v2 `fields.message`). */
  take(): string[];
  /** The calls queued since the last `take()`/`takeCalls()`. */
  takeCalls(): QueuedCall[];
}

/** Builds a {@link RuntimeRig} for `bots` (a map, or a list keyed by code). No REST: `ctx.client` throws. */
export function runtimeRig(bots: ReadonlyMap<string, AnyBotDefinition> | readonly AnyBotDefinition[], opts: { clock?: () => number } = {}): RuntimeRig {
  const map = 'get' in bots ? bots : new Map(bots.map((b) => [b.code, b]));
  const store = createMemoryStore(opts.clock ? { clock: opts.clock } : {});
  const sent: QueuedCall[] = [];
  let seen = 0;
  const sink: ReplySink = { enqueue: async (item) => (sent.push({ method: item.method, params: item.params }), { delivered: Promise.resolve(null) }) };
  const rt = createRuntime({
    store, bots: map, sink, log: createLogger({ silent: true }), ...(opts.clock ? { clock: opts.clock } : {}),
    client: { call: async () => { throw new Error('no REST in this rig'); } },
  });
  const takeCalls = (): QueuedCall[] => {
    const out = sent.slice(seen);
    seen = sent.length;
    return out;
  };
  return {
    store, sent, takeCalls,
    handle: (event) => rt.handle(event),
    take: () => takeCalls().map((c) => String((c.params['fields'] as { message?: unknown } | undefined)?.message ?? '')),
  };
}
