/** `T` with its readonly fields writable: the scratch events of decoders in `reuseEvents` mode. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
