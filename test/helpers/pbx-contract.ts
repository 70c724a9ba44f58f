// One driver per PBX for the shared PbxPort contract (test/integration/pbx-port-contract.test.ts):
// the real adapter over its simulator (ARI simulator + a fake AMI MixMonitor control for Asterisk;
// ESL simulator + outbound-socket driver replaying the captured frames for FreeSWITCH), and the
// PBX's side of a call played through the simulator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../controller/src/config';
import type { PbxEvent } from '../../controller/src/domain/pbx-events';
import { AsteriskAdapter } from '../../controller/src/pbx/asterisk/adapter';
import { FreeswitchAdapter } from '../../controller/src/pbx/freeswitch/adapter';
import type { PbxPort } from '../../controller/src/pbx/port';
import { silentLogger } from '../../controller/src/util/logger';
import { AriSim } from './ari-sim';
import { driveOutbound, type DriveResult } from './esl-outbound-driver';
import { startEslSim, type EslSim } from './esl-sim';
import { fsEventLines } from './fs-traces';
import { fakeMixMonitor, until } from './gate-harness';

export interface GateCall { callId: string; from: string }

export interface ContractDriver {
  readonly name: 'asterisk' | 'freeswitch';
  readonly port: PbxPort;
  readonly events: PbxEvent[];
  /** A call reaches the applet with these facts; `digit` is pressed while the first prompt plays. */
  enterGate(flow: string, applet: string, digit?: string): Promise<GateCall>;
  /** Whether the PBX was told to go on (the call left the gate). */
  released(callId: string): Promise<boolean>;
  /** The PBX starts writing this file for the call (MixMonitor varset / RECORD_START). */
  recordingStarted(callId: string, file: string): void;
  /** What reached the recorder control, in order, as pause|resume (silence: mute/mask). */
  recorderOps(callId: string): string[];
  /** The caller hangs up: the PBX's hangup and channel-gone events. */
  hangup(callId: string): void;
  /** Garbage and an unknown event on the wire. */
  sendJunk(callId: string): void;
  /** After a restart, one call records `file` with the stored row id 42, another records nothing. */
  reconnectWith(recording: { callId: string; file: string }, idle: string): Promise<void>;
  close(): Promise<void>;
}

const CALLER = '2125550123';

export async function asteriskDriver(): Promise<ContractDriver> {
  const sim = await AriSim.start({ playbackMs: 30 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callrec-contract-'));
  const cfg = loadConfig({ CALLREC_ARI_URL: sim.url, CALLREC_ARI_PASSWORD: 'secret', CALLREC_RECORDINGS_DIR: dir });
  const mix = fakeMixMonitor();
  const port = new AsteriskAdapter(cfg, silentLogger(), { mixmon: mix, requestTimeoutMs: 1000 });
  const events: PbxEvent[] = [];
  port.onEvent((e) => events.push(e));
  const abort = new AbortController();
  await port.start(abort.signal);
  // Connected, and the connect sweep reported (its LiveCallsListed must not pass for a later one's).
  await until(() => sim.connected > 0 && port.status() === 'connected' && events.some((e) => e.type === 'LiveCallsListed'), 5000, 'ARI connected');
  return {
    name: 'asterisk', port, events,
    async enterGate(flow, applet, digit) {
      const ch = sim.addChannel({ caller: { name: '', number: CALLER } });
      if (digit) {
        // pressed once the prompt plays
        const timer = setInterval(() => {
          if (sim.requests.some((r) => r.path.startsWith(`/channels/${ch.id}/play`))) { clearInterval(timer); sim.dtmf(ch.id, digit); }
        }, 2);
      }
      sim.enterStasis(ch.id, ['gate', flow, applet]);
      return { callId: ch.id, from: CALLER };
    },
    async released(callId) {
      await until(() => sim.requests.some((r) => r.path === `/channels/${callId}/continue`), 3000, 'continue').catch(() => undefined);
      return sim.requests.some((r) => r.path === `/channels/${callId}/continue` && r.status === 204);
    },
    recordingStarted(callId, file) { sim.setVar(callId, 'MIXMONITOR_FILENAME', file); },
    recorderOps() { return mix.calls.map((c) => (c.op === 'mute' ? (c.arg ? 'pause' : 'resume') : c.op === 'stop' ? 'pause' : 'resume')); },
    hangup(callId) { sim.hangup(callId); },
    sendJunk(callId) {
      sim.pushRaw('{not json');
      sim.push({ type: 'ChannelMadeUp', application: 'callrec', timestamp: new Date().toISOString(), channel: { id: callId } });
    },
    async reconnectWith(recording, idle) {
      const a = sim.addChannel({ id: recording.callId, state: 'Up' });
      sim.state(a.id)!.vars.set('MIXMONITOR_FILENAME', recording.file);
      sim.state(a.id)!.vars.set('CALLREC_CALL_ID', '42');
      sim.addChannel({ id: idle, state: 'Up' });
      sim.dropClients();
    },
    async close() {
      abort.abort();
      await port.stop();
      await sim.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The captured uuid_record call's events, about another call id (and file). */
const FIXTURE_UUID = '30a4f971-e58d-4146-994a-f74d1e46669d';
function capturedFor(callId: string, names: string[], file?: string): string[] {
  return fsEventLines('uuid-record.events.jsonl')
    .filter((l) => l.includes(`"Unique-ID":"${FIXTURE_UUID}"`) && names.some((n) => l.includes(`"Event-Name":"${n}"`)))
    .map((l) => {
      const e = JSON.parse(l.split(FIXTURE_UUID).join(callId)) as Record<string, string>;
      if (file && e['Record-File-Path']) e['Record-File-Path'] = file;
      return JSON.stringify(e);
    });
}

export async function freeswitchDriver(): Promise<ContractDriver> {
  const sim: EslSim = await startEslSim();
  const cfg = loadConfig({ CALLREC_PBX: 'freeswitch', CALLREC_ESL_PORT: String(sim.port), CALLREC_ESL_PASSWORD: 'ClueCon', CALLREC_ESL_SOUNDS_DIR: '/snd' });
  const live = new Set<string>();
  // The switch's answers for calls of this test, in the shapes uuid-record.commands.jsonl holds
  // (uuid_record) and mod_commands.c writes (uuid_exists: true|false).
  const base = (c: string): string | null => {
    const [verb, uuid] = c.split(' ');
    if (verb === 'uuid_exists') return live.has(uuid ?? '') ? 'true' : 'false';
    if (verb === 'uuid_record') return live.has(uuid ?? '') ? '+OK Success\n' : '-ERR Cannot locate session!\n';
    if (c === 'show channels as json') return '{"row_count": 0}\n';
    return null;
  };
  sim.setApi(base);
  const port = new FreeswitchAdapter(cfg, silentLogger(), { listenPort: 0, backoffBaseMs: 20, backoffCapMs: 50, commandTimeoutMs: 500 });
  const events: PbxEvent[] = [];
  port.onEvent((e) => events.push(e));
  const abort = new AbortController();
  await port.start(abort.signal);
  await until(() => port.status() === 'connected' && events.some((e) => e.type === 'LiveCallsListed'), 5000, 'ESL connected');
  const runs = new Map<string, Promise<DriveResult>>();
  let n = 0;
  return {
    name: 'freeswitch', port, events,
    async enterGate(flow, applet, digit) {
      const callId = `0c0ffee0-0000-4000-8000-${String(++n).padStart(12, '0')}`;
      live.add(callId);
      runs.set(callId, driveOutbound({ port: port.gatePort ?? 0, uuid: callId, variables: { callrec_flow: flow, callrec_applet: applet }, ...(digit ? { digits: digit } : {}) }));
      await until(() => events.some((e) => e.type === 'GateEntered' && e.callId === callId), 3000, 'gate');
      const gate = events.find((e) => e.type === 'GateEntered' && e.callId === callId);
      return { callId, from: gate?.type === 'GateEntered' ? gate.facts.from ?? '' : '' };
    },
    async released(callId) { return (await runs.get(callId))?.exited ?? false; },
    recordingStarted(callId, file) { sim.emit(capturedFor(callId, ['RECORD_START'], file)); },
    recorderOps(callId) {
      const verbs: Record<string, string> = { mask: 'pause', pause: 'pause', unmask: 'resume', resume: 'resume' };
      return sim.commands.filter((c) => c.startsWith(`api uuid_record ${callId} `)).map((c) => verbs[c.split(' ')[3] ?? ''] ?? c);
    },
    hangup(callId) {
      live.delete(callId);
      sim.emit(capturedFor(callId, ['CHANNEL_HANGUP', 'RECORD_STOP', 'CHANNEL_DESTROY']));
    },
    sendJunk(callId) {
      sim.emit(['{not json', JSON.stringify({ 'Event-Name': 'CHANNEL_MADE_UP', 'Unique-ID': callId, 'Event-Sequence': '1' })]);
    },
    async reconnectWith(recording, idle) {
      sim.setApi((c) => {
        if (c === 'show channels as json') return JSON.stringify({ row_count: 2, rows: [{ uuid: recording.callId, name: 'loopback/1-b' }, { uuid: idle, name: 'loopback/2-b' }] });
        if (c === `uuid_buglist ${recording.callId}`) return `<media-bugs>\n <media-bug>\n  <function>session_record</function>\n  <target>${recording.file}</target>\n  <thread-locked>0</thread-locked>\n </media-bug>\n</media-bugs>\n`;
        if (c.startsWith('uuid_buglist ')) return '<media-bugs>\n</media-bugs>\n';
        if (c === `uuid_getvar ${recording.callId} callrec_call_id`) return '42';
        return base(c);
      });
      sim.dropClients();
    },
    async close() {
      abort.abort();
      await port.stop();
      await sim.close();
    },
  };
}
