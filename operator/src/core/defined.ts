// Objects whose undefined properties must be absent, not present and undefined: where a
// consumer tells them apart (Object.keys, `'k' in o`, a spread over defaults, a library
// that checks hasOwnProperty, a deep equality). Elsewhere write `k: x` directly: JSON
// and `o.k ?? d` treat an undefined property as absent.

/** The properties of `T` that may be undefined become optional, without undefined. */
export type Defined<T extends object> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** `o`'s own enumerable string-keyed properties, without those whose value is undefined. */
export function defined<T extends object>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}
