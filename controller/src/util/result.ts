export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
/** What was thrown or rejected, as text: an Error's message, anything else as a string. */
export const messageOf = (x: unknown): string => (x instanceof Error ? x.message : String(x));
