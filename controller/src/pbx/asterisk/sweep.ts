// At every (re)connect: channels stuck in Stasis(<app>,gate,...) since the controller went away
// (Asterisk keeps them there, the caller hears silence) are released with the fallback; channels
// that are recording are reported for adoption; and the list of live calls lets the registry
// settle calls that ended meanwhile.
import type { PbxEvent } from '../../domain/pbx-events';
import type { Logger } from '../../util/logger';
import type { AriHttp } from './ari-http';
import { SNOOP_PREFIX } from './announce';
import { GATE_ARG, VAR } from './dialplan-vars';
import { argsFromAppData, asChannel, gateFacts } from './events';

export async function sweepChannels(
  http: AriHttp,
  app: string,
  logger: Logger,
  openedAt = performance.now(),
  /** Snoop channels still playing an announcement: left up. */
  inUse: (channelId: string) => boolean = () => false,
): Promise<PbxEvent[]> {
  const askedAt = performance.now();
  const list = await http.request('GET', '/channels');
  if (!list.ok) {
    logger.warn(`sweep after connect failed: ${list.error.detail}`);
    return [];
  }
  const all = (Array.isArray(list.value) ? list.value : []).map(asChannel).filter((c) => c !== null);
  // A re-announcement's snoop channel left by a controller that went away: nobody will end it.
  const channels = all.filter((c) => !c.id.startsWith(SNOOP_PREFIX));
  for (const c of all)
    if (c.id.startsWith(SNOOP_PREFIX) && !inUse(c.id))
      void http.request('DELETE', `/channels/${encodeURIComponent(c.id)}`);
  const at = new Date();
  const out: PbxEvent[] = [];
  const gatePrefix = `${app},${GATE_ARG}`;
  await Promise.all(
    channels.map(async (ch) => {
      const dp = ch.dialplan;
      if (dp?.app_name === 'Stasis' && (dp.app_data ?? '').startsWith(gatePrefix)) {
        const { facts } = gateFacts(ch, argsFromAppData(dp.app_data ?? ''));
        logger.warn('releasing a call found waiting in the gate', { callId: ch.id });
        out.push({
          type: 'GateEntered',
          callId: ch.id,
          at,
          facts,
          problem: 'found waiting in the gate at (re)connect',
          swept: true,
          openedAt,
        });
        return;
      }
      const file = await readVar(http, ch.id, VAR.MIXMONITOR_FILENAME);
      if (!file) return;
      const [storedId, recorderId] = await Promise.all([
        readVar(http, ch.id, VAR.CALL_ID),
        readVar(http, ch.id, VAR.MIXMON_ID),
      ]);
      const n = storedId ? Number(storedId) : NaN;
      out.push({
        type: 'RecordingFound',
        callId: ch.id,
        at,
        file,
        recorderId,
        storedCallId: Number.isInteger(n) ? n : null,
        channelName: ch.name,
      });
    }),
  );
  out.push({ type: 'LiveCallsListed', callId: '', at, callIds: channels.map((c) => c.id), askedAt });
  return out;
}

async function readVar(http: AriHttp, channelId: string, variable: string): Promise<string | null> {
  const r = await http.request('GET', `/channels/${encodeURIComponent(channelId)}/variable`, { variable });
  if (!r.ok) return null;
  const v = (r.value as { value?: unknown } | null)?.value;
  return typeof v === 'string' && v !== '' ? v : null;
}
