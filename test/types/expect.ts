/**
 * Compile-time assertions for the type tests in this folder (`tsd`-style). The files here are compiled
 * by `npm test`'s `tsc --noEmit` and never run: a wrong type is a compile error, and every
 * `@ts-expect-error` fails the compile when the line it marks stops being an error.
 */

/** `true` when `A` and `B` are the same type (not merely assignable). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;

/** Compiles only when `T` is `true`: `assertType<Equal<typeof x, string>>()`. */
export function assertType<T extends true>(): T | void {
  return undefined;
}

/** Compiles only when `value` is exactly of type `T`: `expectType<number>()(ctx.custom)`. */
export function expectType<T>(): <V>(value: V & (Equal<T, V> extends true ? unknown : { expected: T; got: V })) => void {
  return () => undefined;
}

/** Compiles only when `value` is assignable to `T`. */
export function expectAssignable<T>(value: T): T {
  return value;
}
