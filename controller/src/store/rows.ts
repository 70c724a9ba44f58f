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

/** How a column's value becomes a field's: the store's types, named once. */
const CONVERT = {
  int: (v: unknown) => Number(v),
  count: (v: unknown) => Number(v ?? 0),
  num: toNum,
  str: toStr,
  text: (v: unknown) => String(v),
  bool: toBool,
  date: toDate,
  dateReq: toDateReq,
  json: fromJson,
} as const;

/** Fields of `T` grouped by how their columns convert (`int: ['id', 'callId']`, ...). */
export type ColumnTypes<T> = Partial<Record<keyof typeof CONVERT, ReadonlyArray<keyof T & string>>>;

/**
 * A row mapper from column types: snake_case columns become camelCase fields, converted as
 * `types` says. `only`: keep just the fields named (a table whose other columns must not leave
 * the store); otherwise every column comes through, unnamed ones as the driver gave them.
 */
export function rowMapper<T>(types: ColumnTypes<T>, only = false): (row: Row) => T {
  const plan = Object.entries(types).flatMap(([kind, fields]) =>
    (fields ?? []).map((f) => [f, CONVERT[kind as keyof typeof CONVERT]] as const),
  );
  return (row) => {
    const all = fromColumns(row);
    const out: Record<string, unknown> = only ? {} : all;
    for (const [field, convert] of plan) out[field] = convert(all[field]);
    return out as T;
  };
}
