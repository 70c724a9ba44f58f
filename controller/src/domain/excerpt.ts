// How an error message may quote what a client sent: a short, printable excerpt, never the whole
// input (a 100 kB value echoed back, or one nested 10,000 deep, is an amplifier and a crash).
export const EXCERPT_CHARS = 40;

const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/gu;

/** A string cut to `max` printable characters, with "…" when something was dropped. */
export function clip(s: string, max = EXCERPT_CHARS): string {
  const clean = s.replace(UNPRINTABLE, '');
  const chars = [...clean];
  const cut = chars.slice(0, max).join('');
  return chars.length > max || clean.length < s.length ? `${cut}…` : cut;
}

/** A value as a message may quote it: strings quoted and clipped, containers only named. */
export function excerpt(v: unknown, max = EXCERPT_CHARS): string {
  if (typeof v === 'string') return `"${clip(v, max)}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'a list';
  return v === undefined ? 'nothing' : `a${typeof v === 'object' ? 'n object' : ` ${typeof v}`}`;
}

/** Deepest nesting of arrays and objects in a parsed JSON value, counted without recursion. */
export function jsonDepthExceeds(v: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length > 0) {
    const [cur, depth] = stack.pop() as [unknown, number];
    if (cur === null || typeof cur !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(cur)) stack.push([child, depth + 1]);
  }
  return false;
}
