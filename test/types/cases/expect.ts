// Type-level assertions: each compiles only when the claim holds.

/** True when A and B are the same type (any is equal only to any). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export type IsAny<T> = 0 extends 1 & T ? true : false;

/** `expectType<T>()(value)` compiles when value's type is exactly T. */
export function expectType<T>(): <V>(value: V & (Equal<V, T> extends true ? unknown : never)) => void {
  return () => undefined;
}

/** `assertTrue<Equal<A, B>>()` compiles when the argument is `true`. */
export function assertTrue<T extends true>(): void {}
