// Plays FreeSWITCH's side of an outbound socket (`socket 127.0.0.1:<port> async full`) against the
// controller's gate, with the frames of outbound-socket.controller-wire.txt: CHANNEL_DATA (plain,
// URL-encoded) in reply to `connect`, command/reply +OK to each sendmsg, then a
// CHANNEL_EXECUTE_COMPLETE event-json per app, "+OK bye" and the disconnect notice on exit.
import net from 'node:net';
import { encodeFrame, FrameParser, type EslFrame } from '../../controller/src/pbx/freeswitch/esl/frame';
import { eventFrame } from './esl-sim';
import { fsEvents, fsFixtureText } from './fs-traces';

const WIRE = 'outbound-socket.controller-wire.txt';
export const FIXTURE_UUID = '94f8f7d1-27df-4924-8851-cbb9f07b4139';

export interface ExecutedApp { app: string; arg: string }

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
}

export interface DriveResult {
  commands: string[];
  apps: ExecutedApp[];
  exited: boolean;
  /** ms from TCP connect to the controller's `exit` reply being sent. */
  ms: number;
}

/** The CHANNEL_DATA head of the capture, for another call id, with extra variables. */
export function channelData(uuid: string, variables: Record<string, string>, answered: boolean): string {
  const wire = fsFixtureText(WIRE);
  let head = wire.slice(0, wire.indexOf('\n\n')).split(FIXTURE_UUID).join(uuid);
  if (answered) head = head.replace('Answer-State: ringing', 'Answer-State: answered');
  const extra = Object.entries(variables).map(([k, v]) => `variable_${k}: ${encodeURIComponent(v)}`).join('\n');
  return `${head.replace('\nContent-Type: command/reply', `${extra ? `\n${extra}` : ''}\nContent-Type: command/reply`)}\n\n`;
}

let template: Record<string, string> | null = null;
function cecTemplate(): Record<string, string> {
  template ??= new FrameParser().push(Buffer.from(fsFixtureText(WIRE)))
    .map((f) => (f.headers['Content-Type'] === 'text/event-json' ? JSON.parse(f.body) as Record<string, string> : null))
    .find((e) => e?.['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE') ?? null;
  if (!template) throw new Error(`no CHANNEL_EXECUTE_COMPLETE in ${WIRE}`);
  return template;
}

let seq = 100000;
export function completion(uuid: string, app: string, arg: string, appUuid: string): string {
  return JSON.stringify({ ...cecTemplate(), 'Event-Sequence': String(++seq), 'Unique-ID': uuid, 'Channel-Call-UUID': uuid, Application: app, 'Application-Data': arg, 'Application-UUID': appUuid });
}

export function dtmf(uuid: string, digit: string): string {
  const t = fsEvents('outbound-socket.observer-events.jsonl').find((e) => e['Event-Name'] === 'DTMF');
  return JSON.stringify({ ...t, 'Event-Sequence': String(++seq), 'Unique-ID': uuid, 'DTMF-Digit': digit });
}

/** What the switch sends when the call leaves the socket (hangup, or after `exit`). */
export const disconnectNotice = (uuid: string): string => encodeFrame([['Content-Type', 'text/disconnect-notice'], ['Controlled-Session-UUID', uuid], ['Content-Disposition', 'disconnect']], 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n');

export const reply = (text: string) => encodeFrame([['Content-Type', 'command/reply'], ['Reply-Text', text]]);

export function driveOutbound(opts: DriveOptions): Promise<DriveResult> {
  const uuid = opts.uuid ?? FIXTURE_UUID;
  const result: DriveResult = { commands: [], apps: [], exited: false, ms: 0 };
  let digits = opts.digits ?? '';
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const sock = net.connect({ host: '127.0.0.1', port: opts.port });
    sock.setNoDelay(true);
    const parser = new FrameParser();
    const finish = () => { result.ms = Number(process.hrtime.bigint() - t0) / 1e6; sock.destroy(); resolve(result); };
    const hangup = () => {
      sock.end(disconnectNotice(uuid));
      finish();
    };
    const on = (f: EslFrame): void => {
      result.commands.push(f.command);
      const verb = f.command.split(' ')[0];
      if (verb === 'connect') return void sock.write(channelData(uuid, opts.variables ?? {}, opts.answered ?? false));
      if (verb === 'event') return void sock.write(reply('+OK event listener enabled json'));
      if (verb === 'exit') { result.exited = true; sock.write(reply('+OK bye')); return hangup(); }
      if (verb !== 'sendmsg') return void sock.write(reply('-ERR command not found'));
      const app = f.headers['execute-app-name'] ?? '';
      const arg = f.headers['execute-app-arg'] ?? '';
      result.apps.push({ app, arg });
      sock.write(reply('+OK'));
      if (opts.hangupAt === app) return hangup();
      const events: string[] = [];
      if (app === 'playback' && digits) { events.push(...[...digits].map((d) => dtmf(uuid, d))); digits = ''; }
      events.push(completion(uuid, app, arg, f.headers['Event-UUID'] ?? ''));
      sock.write(events.map(eventFrame).join(''));
    };
    sock.on('data', (chunk) => { for (const f of parser.push(chunk)) on(f); });
    sock.on('error', () => finish());
    sock.on('close', () => finish());
  });
}
