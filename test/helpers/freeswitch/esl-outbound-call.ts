// FreeSWITCH's side of one `socket 127.0.0.1:<port> async full` conversation, driven step by step
// by a test (esl-outbound-driver.ts plays a whole scripted call instead): apps queue and run in
// order as in async mode, a playback lasts until the test ends it (or uuid_break does), and each
// app reaches the switch's state (answer, set, record_session) through onApp.
import net from 'node:net';
import { FrameParser, type EslFrame } from '../../../controller/src/pbx/freeswitch/esl/frame';
import { channelData, completion, disconnectNotice, dtmf, reply, type ExecutedApp } from './esl-outbound-driver';
import { eventFrame } from './esl-sim';

export interface OutboundCallOptions {
  port: number;
  uuid: string;
  /** Channel variables in CHANNEL_DATA (callrec_flow, callrec_applet, ...). */
  variables: Record<string, string>;
  answered: boolean;
  from: string;
  to: string;
  onApp(app: string, arg: string): void;
}

interface Queued {
  app: string;
  arg: string;
  id: string;
}

/** The capture's caller profile with this call's numbers (URL-encoded, as CHANNEL_DATA carries them). */
function withNumbers(head: string, from: string, to: string): string {
  return head
    .replace(
      /^((?:Caller|Channel)-(?:Caller-ID-Number|Orig-Caller-ID-Number|ANI)): .*$/gm,
      `$1: ${encodeURIComponent(from)}`,
    )
    .replace(/^((?:Caller|Channel)-Destination-Number): .*$/gm, `$1: ${encodeURIComponent(to)}`);
}

export class OutboundCall {
  readonly apps: ExecutedApp[] = [];
  exited = false;
  private readonly queue: Queued[] = [];
  private playing: Queued | null = null;
  private readonly sock: net.Socket;
  private open = true;

  constructor(private readonly o: OutboundCallOptions) {
    this.sock = net.connect({ host: '127.0.0.1', port: o.port });
    this.sock.setNoDelay(true);
    const parser = new FrameParser();
    this.sock.on('data', (chunk) => {
      for (const f of parser.push(chunk)) this.command(f);
    });
    this.sock.on('error', () => {
      this.open = false;
    });
    this.sock.on('close', () => {
      this.open = false;
    });
  }

  /** Still connected to the controller (in the `socket` app). */
  get inSocket(): boolean {
    return this.open;
  }

  private command(f: EslFrame): void {
    const verb = f.command.split(' ')[0];
    if (verb === 'connect')
      return this.write(
        withNumbers(channelData(this.o.uuid, this.o.variables, this.o.answered), this.o.from, this.o.to),
      );
    if (verb === 'event') return this.write(reply('+OK event listener enabled json'));
    if (verb === 'exit') {
      this.exited = true;
      this.write(reply('+OK bye'));
      return this.leave();
    }
    if (verb !== 'sendmsg') return this.write(reply('-ERR command not found'));
    this.write(reply('+OK'));
    this.queue.push({
      app: f.headers['execute-app-name'] ?? '',
      arg: f.headers['execute-app-arg'] ?? '',
      id: f.headers['Event-UUID'] ?? '',
    });
    this.runQueued();
  }

  /** Runs queued apps until one blocks: a playback holds the rest until it ends. */
  private runQueued(): void {
    while (!this.playing && this.queue.length > 0) {
      const a = this.queue.shift() as Queued;
      this.apps.push({ app: a.app, arg: a.arg });
      this.o.onApp(a.app, a.arg);
      if (a.app === 'playback') this.playing = a;
      else this.write(eventFrame(completion(this.o.uuid, a.app, a.arg, a.id)));
    }
  }

  /** The playback ends (played out, or broken by uuid_break): its completion, then what waited. */
  finishPlayback(): void {
    const p = this.playing;
    if (!p) return;
    this.playing = null;
    this.write(eventFrame(completion(this.o.uuid, p.app, p.arg, p.id)));
    this.runQueued();
  }

  dtmf(digit: string): void {
    this.write(eventFrame(dtmf(this.o.uuid, digit)));
  }

  /** The call leaves the socket: after `exit`, or because the caller hung up. */
  leave(): void {
    if (!this.open) return;
    this.open = false;
    this.sock.end(disconnectNotice(this.o.uuid));
  }

  private write(data: string): void {
    if (this.open) this.sock.write(data);
  }
}
