// The local journal: an append-only file of JSON lines, each fsync'd before the caller goes on,
// and a position file saying how much of it the database already has. Bounded: a full journal
// refuses the entry (the caller logs it and counts it) rather than filling the disk.
import fs from 'node:fs';
import path from 'node:path';

export interface JournalEntry<T> {
  seq: number;
  at: string;
  op: T;
}
export interface JournalStatus {
  depth: number;
  oldestAt: Date | null;
  bytes: number;
  maxBytes: number;
}

export class JournalFullError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the local journal is full (${maxBytes} bytes; CALLREC_JOURNAL_MAX_BYTES): this write is lost`);
  }
}

const FILE = 'callrec.journal';
const POS = 'callrec.journal.pos';

export class JournalFile<T> {
  private fd: number;
  private size: number;
  private pos: number;
  private seq = 0;
  /** Entries not yet acknowledged, with the byte offset just past each. */
  private readonly pending: Array<{ entry: JournalEntry<T>; end: number }> = [];

  private constructor(
    private readonly dir: string,
    readonly maxBytes: number,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.fd = fs.openSync(path.join(dir, FILE), 'a+');
    this.size = fs.fstatSync(this.fd).size;
    const saved = Number(readOr(path.join(dir, POS), '0'));
    // A position past the end means the journal was compacted just before a crash.
    this.pos = Number.isSafeInteger(saved) && saved <= this.size ? saved : 0;
    this.load();
  }

  static open<T>(dir: string, maxBytes: number): JournalFile<T> {
    return new JournalFile<T>(dir, maxBytes);
  }

  private load(): void {
    if (this.size === this.pos) return;
    const buf = Buffer.alloc(this.size - this.pos);
    fs.readSync(this.fd, buf, 0, buf.length, this.pos);
    let off = this.pos;
    for (const line of buf.toString('utf8').split('\n')) {
      const end = off + Buffer.byteLength(line) + 1;
      // A torn last line (crash mid-append) was never acknowledged to anyone: drop it.
      if (line.trim() !== '' && end <= this.size) {
        try {
          this.pending.push({ entry: JSON.parse(line) as JournalEntry<T>, end });
        } catch {
          /* torn */
        }
      }
      off = end;
    }
    this.seq = this.pending.reduce((m, p) => Math.max(m, p.entry.seq), 0);
  }

  /** Appends and fsyncs; throws JournalFullError when the bound would be passed. */
  append(op: T): JournalEntry<T> {
    const text = JSON.stringify({ seq: ++this.seq, at: new Date().toISOString(), op });
    const line = Buffer.from(`${text}\n`);
    if (this.size + line.length > this.maxBytes) {
      this.seq--;
      throw new JournalFullError(this.maxBytes);
    }
    fs.writeSync(this.fd, line, 0, line.length, this.size);
    fs.fsyncSync(this.fd);
    this.size += line.length;
    // What the disk holds, not the caller's object: a replay reads the same either way.
    const entry = JSON.parse(text) as JournalEntry<T>;
    this.pending.push({ entry, end: this.size });
    return entry;
  }

  /** The oldest entry the database does not have yet. */
  peek(): JournalEntry<T> | null {
    return this.pending[0]?.entry ?? null;
  }

  /** The database has the oldest entry: move past it (and start the file over once all are in). */
  ack(seq: number): void {
    const head = this.pending[0];
    if (!head || head.entry.seq !== seq) return;
    this.pending.shift();
    this.pos = head.end;
    if (this.pending.length === 0) {
      fs.ftruncateSync(this.fd, 0);
      fs.fsyncSync(this.fd);
      this.size = 0;
      this.pos = 0;
    }
    writeDurably(path.join(this.dir, POS), String(this.pos));
  }

  status(): JournalStatus {
    const first = this.pending[0];
    return {
      depth: this.pending.length,
      oldestAt: first ? new Date(first.entry.at) : null,
      bytes: this.size,
      maxBytes: this.maxBytes,
    };
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** What a journal directory holds, read without opening it for writing (`callrec doctor`). */
export function readJournalStatus(dir: string, maxBytes: number): JournalStatus {
  if (!fs.existsSync(path.join(dir, FILE))) return { depth: 0, oldestAt: null, bytes: 0, maxBytes };
  const j = JournalFile.open(dir, maxBytes);
  try {
    return j.status();
  } finally {
    j.close();
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim() || fallback;
  } catch {
    return fallback;
  }
}

function writeDurably(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
