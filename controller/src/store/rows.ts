// Row <-> record conversion shared by the repositories. SQLite hands back epoch ms and 0/1 where
// MySQL hands back Date and booleans; everything above the store sees Date and boolean.
export type Row = Record<string, unknown>;

export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  if (typeof v === 'string')
    return /^\d+$/.test(v)
      ? new Date(Number(v))
      : new Date(v.endsWith('Z') || v.includes('+') ? v : `${v.replace(' ', 'T')}Z`);
  return null;
}

export function toDateReq(v: unknown): Date {
  return toDate(v) ?? new Date(0);
}

export const toBool = (v: unknown): boolean => v === true || v === 1 || v === '1';
export const toNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const toStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function fromJson<T>(v: unknown): T | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v !== 'string') return v as T;
  return JSON.parse(v) as T;
}

export const toJson = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Maps a camelCase patch to column names, dropping undefined (not null) values. */
export function toColumns(patch: Record<string, unknown>, json: readonly string[] = []): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out[snake(k)] = json.includes(k) ? toJson(v) : v;
  }
  return out;
}

export function fromColumns(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[camel(k)] = v;
  return out;
}
