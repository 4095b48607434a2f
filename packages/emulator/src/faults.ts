import type { FaultInjector, FaultSpec } from './types.js';

interface Rule {
  spec: FaultSpec;
  remaining: number;
}

/**
 * The fault rules of an emulator. A request takes the first rule that matches its method and portal
 * and is still active; each hit uses up one of the rule's `times`.
 */
export class FaultRegistry implements FaultInjector {
  readonly #rules: Rule[] = [];
  readonly #clock: () => number;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  add(spec: FaultSpec): () => void {
    const rule: Rule = { spec: { ...spec }, remaining: spec.times ?? Infinity };
    this.#rules.push(rule);
    return () => {
      const i = this.#rules.indexOf(rule);
      if (i >= 0) this.#rules.splice(i, 1);
    };
  }

  clear(): void {
    this.#rules.length = 0;
  }

  list(): FaultSpec[] {
    return this.#rules.map((r) => ({ ...r.spec, ...(Number.isFinite(r.remaining) ? { times: r.remaining } : {}) }));
  }

  /** The fault for a request of `method` on portal `memberId`, using up one hit; null when none. */
  take(method: string, memberId: string | null): FaultSpec | null {
    const now = this.#clock();
    for (let i = 0; i < this.#rules.length; i++) {
      const rule = this.#rules[i];
      if (!rule || !this.#matches(rule.spec, method, memberId, now)) continue;
      rule.remaining--;
      if (rule.remaining <= 0) this.#rules.splice(i, 1);
      return rule.spec;
    }
    return null;
  }

  #matches(spec: FaultSpec, method: string, memberId: string | null, now: number): boolean {
    if (spec.untilMs !== undefined && now >= spec.untilMs) return false;
    if (spec.method !== undefined && spec.method.toLowerCase() !== method.toLowerCase()) return false;
    if (spec.portal !== undefined && spec.portal !== memberId) return false;
    return true;
  }
}
