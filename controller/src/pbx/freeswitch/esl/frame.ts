// ESL framing: header lines up to a blank line, then Content-Length bytes of body. Used by the
// outbound-socket gate (FreeSWITCH connects to us) and by the test simulator. Never throws: a
// malformed percent-escape keeps its raw text (modesl's parser throws URIError from the socket's
// data handler there, which would take the process down).

export interface EslFrame {
  /** The first line when it is not a header (a command such as `api status`), else ''. */
  command: string;
  headers: Record<string, string>;
  body: string;
}

const HEADER_END = Buffer.from('\n\n');

export function decodeValue(v: string): string {
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

export function parseHead(text: string, decode = true): { command: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  let command = '';
  text.split('\n').forEach((line, i) => {
    const at = line.indexOf(': ');
    if (at < 0) {
      if (i === 0) command = line;
      return;
    }
    const key = line.slice(0, at);
    const raw = line.slice(at + 2);
    headers[key] = decode ? decodeValue(raw) : raw;
  });
  return { command, headers };
}

export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { command: string; headers: Record<string, string>; length: number } | null = null;

  /** Feeds bytes; returns every frame completed by them, in order. */
  push(chunk: Buffer): EslFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: EslFrame[] = [];
    for (;;) {
      if (!this.pending) {
        // Stray newlines between frames (some clients send "cmd\n\n\n") are not frames.
        let skip = 0;
        while (skip < this.buf.length && this.buf[skip] === 0x0a) skip++;
        if (skip > 0) this.buf = this.buf.subarray(skip);
        const end = this.buf.indexOf(HEADER_END);
        if (end < 0) break;
        const head = parseHead(this.buf.subarray(0, end).toString('utf8'));
        this.buf = this.buf.subarray(end + 2);
        const length = Number.parseInt(head.headers['Content-Length'] ?? '0', 10);
        this.pending = { ...head, length: Number.isFinite(length) && length > 0 ? length : 0 };
      }
      if (this.buf.length < this.pending.length) break;
      const body = this.buf.subarray(0, this.pending.length).toString('utf8');
      this.buf = this.buf.subarray(this.pending.length);
      out.push({ command: this.pending.command, headers: this.pending.headers, body });
      this.pending = null;
    }
    return out;
  }
}

/** One frame as FreeSWITCH writes it: headers, Content-Length counted in bytes, body. */
export function encodeFrame(headers: Array<[string, string]>, body = '', lengthFirst = true): string {
  const lines = headers.map(([k, v]) => `${k}: ${v}`);
  // Events put Content-Length first, api/response after Content-Type (as on the wire).
  if (body.length > 0) lines.splice(lengthFirst ? 0 : lines.length, 0, `Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\n')}\n\n${body}`;
}

/** A command as one write: `line`, headers, blank line (one packet, no Nagle wait). */
export function encodeCommand(line: string, headers: Record<string, string> = {}): string {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');
  return `${line}\n${extra}\n`;
}

/** An event-json body or a plain event body as a header map; null when it is not one. */
export function parseEventBody(contentType: string | undefined, body: string): Record<string, string> | null {
  if (contentType === 'text/event-json') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>))
        out[k] = typeof v === 'string' ? v : String(v);
      return out;
    } catch {
      return null;
    }
  }
  if (contentType === 'text/event-plain') {
    const end = body.indexOf('\n\n');
    const head = parseHead(end < 0 ? body : body.slice(0, end)).headers;
    if (end >= 0 && head['Content-Length']) head._body = body.slice(end + 2);
    return head;
  }
  return null;
}
