// A plain discriminated union instead of exceptions: protocol input is hostile by
// default, so failure is an expected outcome the caller must branch on, not a crash.
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E }

export function ok<T> (value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value }
}

export function err<E> (error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error }
}
