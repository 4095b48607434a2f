/**
 * A view of `target` with one method replaced (fault injection in tests); every other member is the
 * target's own, bound to it. `original` calls the real method.
 */
export function overriding<T extends object, K extends keyof T>(
  target: T, key: K, impl: (original: T[K]) => T[K],
): T {
  const replaced = impl((target[key] as (...a: unknown[]) => unknown).bind(target) as T[K]);
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop === key) return replaced;
      const v = Reflect.get(t, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}
