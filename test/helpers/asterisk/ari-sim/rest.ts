// The REST calls of the simulator, with Asterisk 22's status codes and messages (see *.http.jsonl).
import type { AriSim } from './index';

type Send = (status: number, data?: unknown) => void;

const NOT_FOUND = { message: 'Channel not found' };
const NOT_IN_STASIS = { message: 'Channel not in Stasis application' };

export function handleRest(
  sim: AriSim,
  method: string,
  p: string,
  q: Record<string, string>,
  body: unknown,
  send: Send,
): void {
  if (method === 'GET' && p === '/asterisk/info')
    return send(200, { system: { version: '22.10.1', entity_id: '02:fc:00:00:00:01' } });
  if (method === 'GET' && p === '/asterisk/variable')
    return send(200, { value: sim.globals.get(q.variable ?? '') ?? '' });
  if (method === 'GET' && p === '/channels')
    return send(200, [...sim.channels.values()].map((s) => s.ch).concat(sim.listedGone));
  const sub = p.match(/^\/applications\/([^/]+)\/subscription$/);
  if (sub && method === 'POST') {
    const id = (q.eventSource ?? '').replace(/^channel:/, '');
    const s = sim.state(id);
    if (!s) return send(422, { message: 'Event source was not found' });
    s.subscribed = true;
    return send(200, {
      name: decodeURIComponent(sub[1] ?? ''),
      channel_ids: [id],
      bridge_ids: [],
      endpoint_ids: [],
      device_names: [],
      events_allowed: [],
      events_disallowed: [],
    });
  }
  const filter = p.match(/^\/applications\/([^/]+)\/eventFilter$/);
  if (filter && method === 'PUT') {
    const allowed = (body as { allowed?: Array<{ type?: unknown }> } | null)?.allowed;
    if (allowed !== undefined && !Array.isArray(allowed)) return send(400, { message: 'Invalid filter' });
    sim.allowed.clear();
    for (const a of allowed ?? []) if (typeof a.type === 'string') sim.allowed.add(a.type);
    return send(200, {
      name: decodeURIComponent(filter[1] ?? ''),
      events_allowed: allowed ?? [],
      events_disallowed: [],
    });
  }
  const pb = p.match(/^\/playbacks\/([^/]+)$/);
  if (pb && method === 'DELETE')
    return send(sim.finishPlayback(decodeURIComponent(pb[1] ?? '')) ? 204 : 404, undefined);
  const m = p.match(/^\/channels\/([^/]+)(?:\/([a-z]+))?(?:\/([^/]+))?$/);
  if (!m) return send(404, { message: 'Resource not found' });
  const id = decodeURIComponent(m[1] ?? '');
  const s = sim.state(id);
  if (!s) return send(404, NOT_FOUND);
  const op = m[2] ?? '';
  if (method === 'GET' && op === '') return send(200, s.ch);
  if (method === 'DELETE' && op === '') {
    sim.hangup(id);
    return send(204);
  }
  if (method === 'GET' && op === 'variable') {
    const v = s.vars.get(q.variable ?? '');
    return v === undefined ? send(404, { message: 'Provided variable was not found' }) : send(200, { value: v });
  }
  // A snoop channel works on any channel, in Stasis or not; it enters the app named.
  if (method === 'POST' && op === 'snoop') {
    const snoop = sim.addChannel({ id: q.snoopId ?? `snoop-${id}`, name: `Snoop/${id}-00000001`, state: 'Up' });
    sim.snoops.push({ of: id, id: snoop.id, spy: q.spy ?? 'none', whisper: q.whisper ?? 'none' });
    send(200, snoop);
    return sim.enterStasis(snoop.id, q.appArgs ? q.appArgs.split(',') : []);
  }
  if (!s.inStasis) return send(409, NOT_IN_STASIS);
  switch (`${method} ${op}`) {
    case 'POST answer':
      s.ch.state = 'Up';
      sim.channelEvent(id, 'ChannelStateChange');
      return send(204);
    case 'POST play':
      return send(201, sim.startPlayback(id, decodeURIComponent(m[3] ?? q.playbackId ?? `pb-${id}`), q.media ?? ''));
    case 'POST variable':
      s.vars.set(q.variable ?? '', q.value ?? '');
      return send(204);
    case 'POST variables': {
      const vars = (body as { variables?: Record<string, string> } | null)?.variables;
      if (!vars) return send(400, { message: 'Missing variables parameter.' });
      for (const [k, v] of Object.entries(vars)) s.vars.set(k, String(v));
      return send(204);
    }
    case 'POST continue':
      if (q.extension && q.context !== 'callrec-gate') return send(400, { message: 'unexpected context' });
      send(204);
      if (q.extension) decisionExtension(sim, id, s.vars, q.extension);
      return continueDialplan(sim, id);
    default:
      return send(404, { message: 'Resource not found' });
  }
}

/** The callrec-gate extensions `skip` and `_rec.` of the shipped dialplan (gate-extension.ts). */
function decisionExtension(sim: AriSim, id: string, vars: Map<string, string>, exten: string): void {
  vars.set('CALLREC_DECIDED', '1');
  if (exten === 'skip') return void vars.set('CALLREC_ACTION', 'skip');
  const m = /^rec([ab])([DM])(\d+)~(\d{14})~([^~]+)~([^~]+)$/.exec(exten);
  if (!m) throw new Error(`the sim's dialplan has no extension ${exten}`);
  const [, from, stereo, beep, stamp = '', a, b] = m;
  const options = `${from === 'b' ? 'b' : ''}${beep !== '0' ? `B(${beep})` : ''}${stereo === 'D' ? 'D' : ''}`;
  const dir = `${stamp.slice(0, 4)}/${stamp.slice(4, 6)}/${stamp.slice(6, 8)}`;
  vars.set('CALLREC_OPTIONS', options);
  vars.set('CALLREC_FILE', `${sim.globals.get('CALLREC_DIR') ?? ''}/${dir}/${stamp}-${a}-${b}-${id}.wav`);
  vars.set('CALLREC_ACTION', 'record');
}

/** What the shipped dialplan does after Stasis: MixMonitor when told to record (q4 trace order). */
function continueDialplan(sim: AriSim, id: string): void {
  const s = sim.state(id);
  if (!s) return;
  sim.channelEvent(id, 'StasisEnd');
  s.inStasis = false;
  s.ch.dialplan = { ...s.ch.dialplan, app_name: 'Dial', app_data: 'PJSIP/201,20' };
  sim.setVar(id, 'STASISSTATUS', 'SUCCESS');
  const file = s.vars.get('CALLREC_FILE');
  if (s.vars.get('CALLREC_ACTION') === 'record' && file) {
    // MixMonitor(${CALLREC_FILE},${CALLREC_OPTIONS}i(CALLREC_MIXMON_ID))
    sim.onRecord(id, file, `${s.vars.get('CALLREC_OPTIONS') ?? ''}i(CALLREC_MIXMON_ID)`);
    sim.setVar(id, 'MIXMONITOR_FILENAME', file);
    sim.setVar(id, 'CALLREC_MIXMON_ID', `0x7f4c1c0${id.replace(/\D/g, '').slice(-5)}`);
  }
}
