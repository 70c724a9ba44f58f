// The AMI wire: "Key: Value" lines ending in CRLF, a blank line ending each message, and one
// banner line ("Asterisk Call Manager/11.0.0") right after connect. TCP chunks split and merge
// messages freely, so the parser keeps the tail until its blank line arrives.

/** One AMI message (response or event) with its header keys as sent. */
export type AmiMessage = Readonly<Record<string, string>>;

export type AmiFrame = { kind: 'banner'; text: string } | { kind: 'message'; message: AmiMessage };

export class AmiParser {
  private buf = '';

  /** Asterisk greets with a banner line; a server-side reader (the tests' simulator) does not. */
  constructor(private bannerSeen = false) {}

  /** Feeds one TCP chunk; returns every frame it completed (zero or more). */
  feed(chunk: string): AmiFrame[] {
    this.buf += chunk;
    const frames: AmiFrame[] = [];
    if (!this.bannerSeen) {
      const eol = this.buf.indexOf('\n');
      if (eol < 0) return frames;
      this.bannerSeen = true;
      frames.push({ kind: 'banner', text: this.buf.slice(0, eol).replace(/\r$/, '') });
      this.buf = this.buf.slice(eol + 1);
    }
    // Asterisk always sends CRLF; accepting a bare LF too costs nothing and helps hand-made sims.
    let end: RegExpExecArray | null;
    while ((end = /\r?\n\r?\n/.exec(this.buf)) !== null) {
      const block = this.buf.slice(0, end.index);
      this.buf = this.buf.slice(end.index + end[0].length);
      if (block.trim() === '') continue;
      frames.push({ kind: 'message', message: parseBlock(block) });
    }
    return frames;
  }

  /** Bytes received but not yet forming a whole message. */
  pending(): number {
    return this.buf.length;
  }
}

function parseBlock(block: string): AmiMessage {
  const msg: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // command output lines of "Response: Follows"; nothing we use
    const key = line.slice(0, colon).trim();
    // Repeated keys (the Output lines of a Command reply, ChanVariable) are joined by newlines.
    const value = line.slice(colon + 1).trim();
    msg[key] = key in msg ? `${msg[key]}\n${value}` : value;
  }
  return msg;
}

export type AmiFields = Readonly<Record<string, string | number>>;

/** Serializes an action; a CR or LF in any value would inject headers, so it is refused. */
export function formatAction(action: string, actionId: string, fields: AmiFields): string | { invalid: string } {
  const lines = [`Action: ${action}`, `ActionID: ${actionId}`];
  for (const [key, raw] of Object.entries(fields)) {
    const value = String(raw);
    if (/[\r\n]/.test(value) || /[\r\n:]/.test(key)) return { invalid: `${action} field ${key} contains a line break` };
    lines.push(`${key}: ${value}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}
