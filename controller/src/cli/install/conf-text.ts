// Idempotent edits of Asterisk .conf text: add an #include once, or under a [section].

const includeRe = (file: string): RegExp =>
  new RegExp(`^\\s*#(?:try)?include\\s+"?(?:[^"\\s]*/)?${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*$`, 'm');

export const hasInclude = (text: string, file: string): boolean => includeRe(file).test(text);

/** Appends `#include "file"` at the end unless the file is already (try)included. */
export function ensureIncludeAtEnd(text: string, file: string, comment: string): string {
  if (hasInclude(text, file)) return text;
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return `${text}${sep}\n; ${comment}\n#include "${file}"\n`;
}

/**
 * Puts `#include "file"` right under the [section] header, so its lines belong to that section
 * (Asterisk's parser continues the current category into an included file). Adds the section
 * at the end when the file has none.
 */
export function ensureIncludeInSection(text: string, section: string, file: string, comment: string): string {
  if (hasInclude(text, file)) return text;
  const header = new RegExp(`^\\[${section}\\][^\\n]*\\n?`, 'm').exec(text);
  const lines = `; ${comment}\n#include "${file}"\n`;
  if (!header) return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}\n[${section}]\n${lines}`;
  const at = header.index + header[0].length;
  const head = text.slice(0, at);
  return `${head}${head.endsWith('\n') ? '' : '\n'}${lines}${text.slice(at)}`;
}
