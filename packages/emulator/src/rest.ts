import type { Core } from './core.js';
import type { Params } from './params.js';
import { PortalError } from './portal-error.js';
import type { PortalState } from './portal-state.js';

/** Who is calling: an OAuth app user (with the app's `client_id`) or an incoming webhook's user. */
export interface Caller {
  kind: 'oauth' | 'webhook';
  userId: number;
  /** The OAuth app's client id; null for webhooks. */
  clientId: string | null;
  /** The operating-budget identity: the app, or the webhook. */
  budgetKey: string;
}

/** Everything a REST method handler may use. */
export interface MethodContext {
  core: Core;
  portal: PortalState;
  caller: Caller;
  /** The method name as registered. */
  method: string;
  /**
   * Waits while the method "runs" (a `slow` fault with `during`); resolves at once otherwise. A method
   * with a visible running phase (v2 send: `templateId` claimed, message not yet stored) calls it in
   * that phase; for the others it is waited after the handler, before the answer.
   */
  hold: () => Promise<void>;
}

/** A REST method: params in, `result` out; throws {@link PortalError} for error answers. */
export type MethodHandler = (ctx: MethodContext, params: Params) => unknown;

/**
 * A page of a list method (docs settings/how-to-call-rest-api/list-methods-pecularities.md): the answer
 * carries `total` and, when more rows follow, `next` (the `start` of the next page) beside `result`.
 */
export class ListPage {
  constructor(readonly items: unknown[], readonly total: number | null, readonly next: number | null) {}
}

/** The `next`/`total` fields of a list answer (absent for other methods and for `start=-1`). */
export interface Paging {
  next?: number;
  total?: number;
}

/** What a method call is invoked with: the context without the method name, `hold` optional. */
export type InvokeBase = Omit<MethodContext, 'method' | 'hold'> & { hold?: () => Promise<void> };

/** The result of one method call with its operating-time view. */
export interface Invocation {
  result: unknown;
  paging: Paging;
  operating: { operating: number; resetAt: number };
}

function unwrapPage(result: unknown): { result: unknown; paging: Paging } {
  if (!(result instanceof ListPage)) return { result, paging: {} };
  const paging: Paging = {};
  if (result.next !== null) paging.next = result.next;
  if (result.total !== null) paging.total = result.total;
  return { result: result.items, paging };
}

/** REST methods by name; lookup ignores case (`imbot.message.add` and `IMBOT.MESSAGE.ADD` are one). */
export class MethodTable {
  readonly #methods = new Map<string, { name: string; handler: MethodHandler }>();

  /** Registers handlers by method name. */
  register(handlers: Record<string, MethodHandler>): void {
    for (const [name, handler] of Object.entries(handlers)) this.#methods.set(name.toLowerCase(), { name, handler });
  }

  get(name: string): { name: string; handler: MethodHandler } | undefined {
    return this.#methods.get(name.toLowerCase());
  }

  /**
   * Runs one method with the operating-time budget (facts §7.2): a blocked method answers
   * `429 OPERATION_TIME_LIMIT`; a call that runs is charged to the caller and method.
   */
  async invoke(base: InvokeBase, name: string, params: Params): Promise<Invocation> {
    const entry = this.get(name);
    if (!entry) throw new PortalError('ERROR_METHOD_NOT_FOUND', 'Method not found!');
    const key = `${base.caller.budgetKey}|${entry.name.toLowerCase()}`;
    const now = base.core.clock();
    const before = base.portal.operating.state(key, now);
    if (before.blocked) throw new PortalError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
    let held = false;
    const hold = async (): Promise<void> => {
      if (held) return;
      held = true;
      await base.hold?.();
    };
    let result: unknown;
    try {
      result = await entry.handler({ ...base, method: entry.name, hold }, params);
      await hold();
    } finally {
      base.portal.operating.charge(key, entry.name, now);
    }
    return { ...unwrapPage(result), operating: base.portal.operating.state(key, now) };
  }
}
