// Plays FreeSWITCH's side of an outbound socket (`socket 127.0.0.1:<port> async full`) against the
// controller's gate, with the frames of outbound-socket.controller-wire.txt: CHANNEL_DATA (plain,
// URL-encoded) in reply to `connect`, command/reply +OK to each sendmsg, then a
// CHANNEL_EXECUTE_COMPLETE event-json per app, "+OK bye" and the disconnect notice on exit.
import net from 'node:net';
import { encodeFrame, FrameParser, type EslFrame } from '../../../controller/src/pbx/freeswitch/esl/frame';
import { eventFrame } from './esl-sim';
import { fsEvents, fsFixtureText } from './traces';

const WIRE = 'outbound-socket.controller-wire.txt';
export const FIXTURE_UUID = '94f8f7d1-27df-4924-8851-cbb9f07b4139';

export interface ExecutedApp {
  app: string;
  arg: string;
}

export interface DriveOptions {
  port: number;
  uuid?: string;
  /** Channel variables added to CHANNEL_DATA (e.g. callrec_flow), as the applet snippet sets them. */
  variables?: Record<string, string>;
  answered?: boolean;
  /** Digits pressed while the first playback plays (DTMF events before its completion). */
  digits?: string;
  /** Hang up (disconnect notice, close) instead of completing this app. */
  hangupAt?: string;
  /**
   * The caller hangs up while this app runs: its completion says so (Answer-State: hangup, as in
   * disconnect-during-recording.events.jsonl), then the disconnect notice.
   */
  hangupDuring?: string;
  /** Application-Response of playback completions (the switch's: FILE PLAYED, FILE NOT FOUND, PLAYBACK ERROR). */
  playbackResponse?: string;
  /** How long a playback plays: its completion is sent this many ms after the +OK (default 0). */
  playbackMs?: number;
  /** Give up (exited: false) when the controller has not sent `exit` by then. */
  timeoutMs?: number;
}

export interface DriveResult {
  commands: string[];
  /** ms from TCP connect to each command's arrival, in the order of `commands`. */
  at: number[];
  apps: ExecutedApp[];
  exited: boolean;
  /** ms from TCP connect to the controller's `exit` reply being sent. */
  ms: number;
}

let captured: string | null = null;
/** The CHANNEL_DATA head of the capture, for another call id, with extra variables. */
export function channelData(uuid: string, variables: Record<string, string>, answered: boolean): string {
  if (captured === null) {
    const wire = fsFixtureText(WIRE);
    captured = wire.slice(0, wire.indexOf('\n\n'));
  }
  let head = captured.split(FIXTURE_UUID).join(uuid);
  if (answered) head = head.replace('Answer-State: ringing', 'Answer-State: answered');
  const extra = Object.entries(variables)
    .map(([k, v]) => `variable_${k}: ${encodeURIComponent(v)}`)
    .join('\n');
  return `${head.replace('\nContent-Type: command/reply', `${extra ? `\n${extra}` : ''}\nContent-Type: command/reply`)}\n\n`;
}

let template: Record<string, string> | null = null;
function cecTemplate(): Record<string, string> {
  template ??=
    new FrameParser()
      .push(Buffer.from(fsFixtureText(WIRE)))
      .map((f) =>
        f.headers['Content-Type'] === 'text/event-json' ? (JSON.parse(f.body) as Record<string, string>) : null,
      )
      .find((e) => e?.['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE') ?? null;
  if (!template) throw new Error(`no CHANNEL_EXECUTE_COMPLETE in ${WIRE}`);
  return template;
}

let seq = 100000;
export function completion(
  uuid: string,
  app: string,
  arg: string,
  appUuid: string,
  response = '_none_',
  hungUp = false,
): string {
  const hangup = hungUp ? { 'Answer-State': 'hangup', 'Hangup-Cause': 'NORMAL_CLEARING' } : {};
  return JSON.stringify({
    ...cecTemplate(),
    'Event-Sequence': String(++seq),
    'Unique-ID': uuid,
    'Channel-Call-UUID': uuid,
    ...hangup,
    Application: app,
    'Application-Data': arg,
    'Application-Response': response,
    'Application-UUID': appUuid,
  });
}

export function dtmf(uuid: string, digit: string): string {
  const t = fsEvents('outbound-socket.observer-events.jsonl').find((e) => e['Event-Name'] === 'DTMF');
  return JSON.stringify({ ...t, 'Event-Sequence': String(++seq), 'Unique-ID': uuid, 'DTMF-Digit': digit });
}

/** What the switch sends when the call leaves the socket (hangup, or after `exit`). */
export const disconnectNotice = (uuid: string): string =>
  encodeFrame(
    [
      ['Content-Type', 'text/disconnect-notice'],
      ['Controlled-Session-UUID', uuid],
      ['Content-Disposition', 'disconnect'],
    ],
    'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n',
  );

export const reply = (text: string) =>
  encodeFrame([
    ['Content-Type', 'command/reply'],
    ['Reply-Text', text],
  ]);

export function driveOutbound(opts: DriveOptions): Promise<DriveResult> {
  const uuid = opts.uuid ?? FIXTURE_UUID;
  const result: DriveResult = { commands: [], at: [], apps: [], exited: false, ms: 0 };
  let digits = opts.digits ?? '';
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const sock = net.connect({ host: '127.0.0.1', port: opts.port });
    sock.setNoDelay(true);
    const parser = new FrameParser();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      result.ms = Number(process.hrtime.bigint() - t0) / 1e6;
      sock.destroy();
      resolve(result);
    };
    const timer = opts.timeoutMs ? setTimeout(finish, opts.timeoutMs) : undefined;
    const hangup = () => {
      sock.end(disconnectNotice(uuid));
      finish();
    };
    const on = (f: EslFrame): void => {
      result.commands.push(f.command);
      result.at.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const verb = f.command.split(' ')[0];
      if (verb === 'connect') return void sock.write(channelData(uuid, opts.variables ?? {}, opts.answered ?? false));
      if (verb === 'event') return void sock.write(reply('+OK event listener enabled json'));
      if (verb === 'exit') {
        result.exited = true;
        sock.write(reply('+OK bye'));
        return hangup();
      }
      if (verb !== 'sendmsg') return void sock.write(reply('-ERR command not found'));
      const app = f.headers['execute-app-name'] ?? '';
      const arg = f.headers['execute-app-arg'] ?? '';
      result.apps.push({ app, arg });
      sock.write(reply('+OK'));
      if (opts.hangupAt === app) return hangup();
      const events: string[] = [];
      if (app === 'playback' && digits) {
        events.push(...[...digits].map((d) => dtmf(uuid, d)));
        digits = '';
      }
      const response = app === 'playback' ? (opts.playbackResponse ?? 'FILE PLAYED') : '_none_';
      events.push(completion(uuid, app, arg, f.headers['Event-UUID'] ?? '', response, opts.hangupDuring === app));
      const send = () => {
        if (sock.destroyed) return;
        sock.write(events.map(eventFrame).join(''));
        if (opts.hangupDuring === app) hangup();
      };
      if (app === 'playback' && opts.playbackMs) setTimeout(send, opts.playbackMs);
      else send();
    };
    sock.on('data', (chunk) => {
      for (const f of parser.push(chunk)) on(f);
    });
    sock.on('error', () => finish());
    sock.on('close', () => finish());
  });
}
