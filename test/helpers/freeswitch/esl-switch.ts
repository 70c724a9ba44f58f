// FreeSWITCH's state behind the ESL simulator: which channels exist, their variables and media bugs
// (recorders), and the api commands the controller sends answered with the exact lines of
// mod_commands.c in v1.10.12 (those captured in uuid-record.commands.jsonl agree). Events leave
// through the simulator in the shapes of outbound-socket.observer-events.jsonl (the gate call).
import type { BeepView } from '../contract/driver';
import type { ApiHandler, EslSim } from './esl-sim';
import { fsEventLines } from './traces';

const TRACE = 'outbound-socket.observer-events.jsonl';
const TRACE_UUID = '94f8f7d1-27df-4924-8851-cbb9f07b4139';

export type Writing = 'audio' | 'silence' | 'nothing';

/**
 * switch_media_bug_t as uuid_buglist shows it; record_session/uuid_record add function
 * session_record, displace_session/uuid_displace function displace (target: the path, flags: its
 * m mix, f first in the list, r read direction, as switch_ivr_displace_session reads them).
 */
interface MediaBug {
  function: string;
  target: string;
  masked: boolean;
  paused: boolean;
  flags?: string;
}

export interface SwitchChannel {
  uuid: string;
  name: string;
  from: string;
  to: string;
  answered: boolean;
  created: Date;
  vars: Map<string, string>;
  bugs: MediaBug[];
  broadcasts: string[];
}

export interface SwitchHooks {
  /** uuid_break: what plays on the call stops. */
  onBreak?(uuid: string): void;
  /** The channel is gone (uuid_kill or the caller hung up). */
  onHangup?(uuid: string): void;
}

let seq = 900000;
const templates = new Map<string, Record<string, string>>();

function template(name: string): Record<string, string> {
  let t = templates.get(name);
  if (!t) {
    t = fsEventLines(TRACE)
      .map((l) => JSON.parse(l) as Record<string, string>)
      .find((e) => e['Event-Name'] === name && e['Unique-ID'] === TRACE_UUID);
    if (!t) throw new Error(`no ${name} of ${TRACE_UUID} in ${TRACE}`);
    templates.set(name, t);
  }
  return t;
}

/** The trace's event of that name for another call (and file); an undefined override removes the header. */
export function switchEvent(name: string, uuid: string, over: Record<string, string | undefined> = {}): string {
  let text = JSON.stringify(template(name));
  const file = template(name)['Record-File-Path'];
  const newFile = over['Record-File-Path'];
  if (file && newFile) text = text.split(file).join(newFile);
  const e = JSON.parse(text.split(TRACE_UUID).join(uuid)) as Record<string, string>;
  e['Event-Sequence'] = String(++seq);
  for (const [k, v] of Object.entries(over))
    if (v === undefined) delete e[k];
    else e[k] = v;
  return JSON.stringify(e);
}

const NO_CHANNEL = '-ERR No such channel!\n';
const RECORD_USAGE = '-USAGE: <uuid> [start|stop|mask|unmask] <path> [<limit>] [<recording_vars>]\n';
const DISPLACE_USAGE = '-USAGE: <uuid> [start|stop] <path> [<limit>] [mux]\n';

export class EslSwitch {
  readonly channels = new Map<string, SwitchChannel>();

  constructor(
    private readonly sim: EslSim,
    private readonly hooks: SwitchHooks = {},
  ) {}

  add(uuid: string, c: { name: string; from: string; to: string; answered: boolean }): SwitchChannel {
    const ch: SwitchChannel = { uuid, ...c, created: new Date(), vars: new Map(), bugs: [], broadcasts: [] };
    this.channels.set(uuid, ch);
    return ch;
  }

  /** An app of the dialplan or the outbound socket runs on the channel. */
  runApp(uuid: string, app: string, arg: string): void {
    const ch = this.channels.get(uuid);
    if (!ch) return;
    if (app === 'answer') this.answer(uuid);
    if (app === 'set') {
      const at = arg.indexOf('=');
      ch.vars.set(arg.slice(0, at), arg.slice(at + 1));
    }
    if (app === 'record_session') this.record(ch, arg);
    if (app === 'displace_session') {
      const [path = '', flags = ''] = arg.split(' ');
      this.displace(ch, path, flags);
    }
  }

  answer(uuid: string): void {
    const ch = this.channels.get(uuid);
    if (!ch || ch.answered) return;
    ch.answered = true;
    this.sim.emit([switchEvent('CHANNEL_ANSWER', uuid)]);
    // Every variable named execute_on_answer* runs its app once the channel is up
    // (switch_channel_execute_on; a literal path: ${var} is rejected).
    for (const [name, value] of [...ch.vars]) {
      if (!name.startsWith('execute_on_answer')) continue;
      const at = value.indexOf(' ');
      this.runApp(uuid, value.slice(0, at), value.slice(at + 1));
    }
  }

  dtmf(uuid: string, digit: string): void {
    if (this.channels.has(uuid)) this.sim.emit([switchEvent('DTMF', uuid, { 'DTMF-Digit': digit })]);
  }

  /** The caller hangs up: RECORD_STOP comes between CHANNEL_HANGUP and CHANNEL_HANGUP_COMPLETE. */
  hangup(uuid: string): void {
    const ch = this.channels.get(uuid);
    if (!ch) return;
    this.channels.delete(uuid);
    const hangup = switchEvent('CHANNEL_HANGUP', uuid); // sequence numbers in wire order
    const stops = ch.bugs
      .filter((b) => b.function === 'session_record')
      .map((b) => switchEvent('RECORD_STOP', uuid, { 'Record-File-Path': b.target }));
    this.sim.emit([
      hangup,
      ...stops,
      switchEvent('CHANNEL_HANGUP_COMPLETE', uuid),
      switchEvent('CHANNEL_DESTROY', uuid),
    ]);
    this.hooks.onHangup?.(uuid);
  }

  recorder(uuid: string): { file: string; writing: Writing } | null {
    const bug = this.channels.get(uuid)?.bugs.find((b) => b.function === 'session_record');
    if (!bug) return null;
    return { file: bug.target, writing: bug.paused ? 'nothing' : bug.masked ? 'silence' : 'audio' };
  }

  /**
   * The periodic tone that displace bugs mix into the call (tone_stream %(on,off,hz) looping
   * forever), or null. What 1.10.12 showed (docs/freeswitch.md): a bug on the read direction (r)
   * reaches the other party and always the recorder (every read-replace bug runs before any
   * read-stream one); one on the write direction reaches the channel's own party, and the recorder
   * only if it comes before the recorder's bug in the list (the write path runs bugs in list order).
   */
  beep(uuid: string): BeepView | null {
    const bugs = this.channels.get(uuid)?.bugs ?? [];
    const recorder = bugs.findIndex((b) => b.function === 'session_record' && !b.paused && !b.masked);
    let view: BeepView | null = null;
    bugs.forEach((b, i) => {
      const tone = /^tone_stream:\/\/(?:.*;)?%\((\d+),(\d+),\d+\);loops=-1$/.exec(b.target);
      if (b.function !== 'displace' || !tone || !b.flags?.includes('m')) return;
      const read = b.flags.includes('r');
      view ??= { everySeconds: (Number(tone[1]) + Number(tone[2])) / 1000, intoFile: false, heardBy: [] };
      view.heardBy.push(read ? 'other party' : 'channel');
      view.intoFile ||= recorder >= 0 && (read || i < recorder);
    });
    return view;
  }

  /** switch_ivr_displace_session: one bug per path; f puts it first in the list, else last. */
  private displace(ch: SwitchChannel, path: string, flags: string): boolean {
    if (!path || ch.bugs.some((b) => b.function === 'displace' && b.target === path)) return false;
    const bug: MediaBug = { function: 'displace', target: path, masked: false, paused: false, flags };
    if (flags.includes('f')) ch.bugs.unshift(bug);
    else ch.bugs.push(bug);
    return true;
  }

  /** A duplicate start on the same path answers +OK and does nothing (DESIGN.md, verified). */
  private record(ch: SwitchChannel, file: string): void {
    if (ch.bugs.some((b) => b.target === file)) return;
    ch.bugs.push({ function: 'session_record', target: file, masked: false, paused: false });
    this.sim.emit([switchEvent('RECORD_START', ch.uuid, { 'Record-File-Path': file })]);
  }

  private stopRecording(ch: SwitchChannel, path: string): boolean {
    const gone = ch.bugs.filter((b) => b.function === 'session_record' && (path === 'all' || b.target === path));
    ch.bugs = ch.bugs.filter((b) => !gone.includes(b));
    this.sim.emit(gone.map((b) => switchEvent('RECORD_STOP', ch.uuid, { 'Record-File-Path': b.target })));
    return gone.length > 0;
  }

  readonly api: ApiHandler = (line) => {
    if (line === 'show channels as json') return this.showChannels();
    const [verb = '', uuid = '', ...rest] = line.split(' ');
    const ch = this.channels.get(uuid);
    // Events go out on the switch's event thread: after the reply, as on the wire.
    const later = (f: () => void): void => {
      setImmediate(f);
    };
    switch (verb) {
      case 'uuid_answer':
        if (!ch) return '-ERROR\n';
        later(() => this.answer(uuid));
        return '+OK\n';
      case 'uuid_broadcast':
        if (!ch) return '-ERR invalid uuid\n';
        ch.broadcasts.push(rest[0] ?? '');
        return '+OK Message sent\n';
      case 'uuid_break':
        if (!ch) return NO_CHANNEL;
        later(() => this.hooks.onBreak?.(uuid));
        return '+OK\n';
      case 'uuid_kill':
        if (!ch) return NO_CHANNEL;
        later(() => this.hangup(uuid));
        return '+OK\n';
      case 'uuid_setvar':
        if (!ch) return NO_CHANNEL;
        ch.vars.set(rest[0] ?? '', rest.slice(1).join(' '));
        return '+OK\n';
      case 'uuid_setvar_multi':
        return this.setMulti(ch, rest.join(' '));
      case 'uuid_getvar':
        return !ch ? NO_CHANNEL : (ch.vars.get(rest[0] ?? '') ?? '_undef_');
      case 'uuid_exists':
        return ch ? 'true' : 'false';
      // switch_core_session_locate failing leaves the stream empty (mod_commands.c uuid_buglist_function).
      case 'uuid_buglist':
        return !ch ? '' : bugList(ch.bugs);
      case 'uuid_record':
        return this.uuidRecord(ch, rest[0] ?? '', rest[1] ?? '');
      case 'uuid_displace':
        return this.uuidDisplace(ch, uuid, rest);
      default:
        return null;
    }
  };

  private setMulti(ch: SwitchChannel | undefined, pairs: string): string {
    if (!ch) return NO_CHANNEL;
    for (const p of pairs.split(';')) {
      const at = p.indexOf('=');
      if (at > 0) ch.vars.set(p.slice(0, at), p.slice(at + 1));
    }
    return '+OK\n';
  }

  private uuidRecord(ch: SwitchChannel | undefined, action: string, path: string): string {
    if (!action || !path) return RECORD_USAGE;
    if (!ch) return '-ERR Cannot locate session!\n';
    if (action === 'start') {
      setImmediate(() => this.record(ch, path));
      return '+OK Success\n';
    }
    if (action === 'stop') return this.stopRecording(ch, path) ? '+OK Success\n' : '-ERR Cannot stop record session!\n';
    const flags: Record<string, Partial<MediaBug>> = {
      mask: { masked: true },
      unmask: { masked: false },
      pause: { paused: true },
      resume: { paused: false },
    };
    const set = flags[action];
    if (!set) return RECORD_USAGE;
    const bug = ch.bugs.find((b) => b.function === 'session_record' && b.target === path);
    if (!bug) return `-ERR Cannot ${action} recording session!\n`;
    Object.assign(bug, set);
    return '+OK Success\n';
  }

  /** mod_commands.c session_displace_function: <uuid> start|stop <path> [<limit>] [<flags>]. */
  private uuidDisplace(
    ch: SwitchChannel | undefined,
    uuid: string,
    [action = '', path = '', , flags = '']: string[],
  ): string {
    if (!uuid || !action || !path) return DISPLACE_USAGE;
    if (!ch) return '-ERR Cannot locate session!\n';
    if (action === 'start') return this.displace(ch, path, flags) ? '+OK Success\n' : '-ERR Cannot displace session!\n';
    if (action !== 'stop') return DISPLACE_USAGE;
    const bug = ch.bugs.find((b) => b.function === 'displace' && b.target === path);
    if (!bug) return '-ERR Cannot stop displace session!\n';
    ch.bugs = ch.bugs.filter((b) => b !== bug);
    return '+OK Success\n';
  }

  /** `show channels as json`: cJSON_PrintUnformatted of the channels table rows, all columns as strings. */
  private showChannels(): string {
    const rows = [...this.channels.values()].sort((a, b) => a.created.getTime() - b.created.getTime()).map(channelRow);
    return rows.length === 0 ? '{"row_count": 0}\n' : JSON.stringify({ row_count: rows.length, rows });
  }
}

/** switch_core_media_bug_enumerate's text, byte for byte. */
export function bugList(bugs: ReadonlyArray<{ function: string; target: string }>): string {
  const items = bugs.map(
    (b) =>
      ` <media-bug>\n  <function>${b.function}</function>\n  <target>${b.target}</target>\n  <thread-locked>0</thread-locked>\n </media-bug>\n`,
  );
  return `<media-bugs>\n${items.join('')}</media-bugs>\n`;
}

/** The columns of the core's `channels` table (switch_core_sqldb.c), in order, for a mod_loopback leg. */
function channelRow(ch: SwitchChannel): Record<string, string> {
  const epoch = Math.floor(ch.created.getTime() / 1000);
  const created = ch.created.toISOString().replace('T', ' ').slice(0, 19);
  const codec = {
    read_codec: 'L16',
    read_rate: '8000',
    read_bit_rate: '128000',
    write_codec: 'L16',
    write_rate: '8000',
    write_bit_rate: '128000',
  };
  return {
    uuid: ch.uuid,
    direction: 'inbound',
    created,
    created_epoch: String(epoch),
    name: ch.name,
    state: 'CS_EXECUTE',
    cid_name: '',
    cid_num: ch.from,
    ip_addr: '',
    dest: ch.to,
    application: '',
    application_data: '',
    dialplan: 'XML',
    context: 'callrec',
    ...codec,
    secure: '',
    hostname: 'vm',
    presence_id: '',
    presence_data: '',
    accountcode: '',
    callstate: ch.answered ? 'ACTIVE' : 'RINGING',
    callee_name: '',
    callee_num: '',
    callee_direction: '',
    call_uuid: ch.uuid,
    sent_callee_name: '',
    sent_callee_num: '',
    initial_cid_name: '',
    initial_cid_num: ch.from,
    initial_ip_addr: '',
    initial_dest: ch.to,
    initial_dialplan: 'XML',
    initial_context: 'callrec',
  };
}
