// Type-level helpers for the args/schema agreement tests: exact type equality and a normal form
// that drops what an args interface and a zod schema legitimately differ in.

/** Exact type equality (not mere assignability: an extra optional field must fail too). */
export type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
export type Expect<T extends true> = T;

/** Normalises readonly-ness and `| undefined` on optionals, keeping which keys are optional. */
export type Plain<T> = T extends string | number | boolean
    ? T
    : T extends readonly (infer E)[]
      ? Plain<E>[]
      : T extends object
        ? { -readonly [K in keyof T]-?: Plain<Exclude<T[K], undefined>> } & { __optional: OptionalKeys<T> }
        : T;
export type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
