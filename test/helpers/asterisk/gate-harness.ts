// A controller's call path over the ARI simulator: the real AsteriskAdapter (MixMonitor control
// faked), the real registry and store (call-harness.ts).
import { loadConfig } from '../../../controller/src/config';
import type { CallRecord } from '../../../controller/src/domain/records';
import type { CallRegistry } from '../../../controller/src/calls/registry';
import { AsteriskAdapter } from '../../../controller/src/pbx/asterisk/adapter';
import type { MixMonitorControl } from '../../../controller/src/pbx/asterisk/mixmonitor-control';
import { silentLogger } from '../../../controller/src/util/logger';
import { ok } from '../../../controller/src/util/result';
import {
  openHarnessStore,
  startRegistry,
  until,
  writeWav,
  type HarnessStore,
  type RegistryOptions,
} from '../call-harness';
import { AriSim } from './ari-sim';

export interface MixCall {
  op: 'mute' | 'stop' | 'start';
  channel: string;
  arg: unknown;
}
export function fakeMixMonitor(): MixMonitorControl & { calls: MixCall[] } {
  const calls: MixCall[] = [];
  return {
    calls,
    mute: async (channel, muted) => {
      calls.push({ op: 'mute', channel, arg: muted });
      return ok(undefined);
    },
    stop: async (channel, id) => {
      calls.push({ op: 'stop', channel, arg: id });
      return ok(undefined);
    },
    start: async (channel, file, options) => {
      calls.push({ op: 'start', channel, arg: { file, options } });
      return ok(undefined);
    },
  };
}

export interface Harness extends HarnessStore {
  sim: AriSim;
  adapter: AsteriskAdapter;
  registry: CallRegistry;
  mix: ReturnType<typeof fakeMixMonitor>;
  abort: AbortController;
  close(): Promise<void>;
}

export interface HarnessOptions extends RegistryOptions {
  kind?: 'sqlite' | 'mysql';
  requestTimeoutMs?: number;
  playbackMs?: number;
  connect?: boolean;
  sim?: AriSim;
  /** The simulated dialplan names files under the harness's root (calls name contract 2 in their Stasis args). */
  decisionInContinue?: boolean;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const sim = o.sim ?? (await AriSim.start({ playbackMs: o.playbackMs ?? 30 }));
  const base = await openHarnessStore(o.kind);
  const cfg = loadConfig({
    CALLREC_ARI_URL: sim.url,
    CALLREC_ARI_PASSWORD: 'secret',
    CALLREC_RECORDINGS_DIR: base.dir,
    CALLREC_NODE: 'pbx1',
  });
  if (o.decisionInContinue) {
    sim.globals.set('CALLREC_DIR', cfg.pbxRecordingsDir);
  }
  const mix = fakeMixMonitor();
  const adapter = new AsteriskAdapter(cfg, silentLogger(), {
    mixmon: mix,
    requestTimeoutMs: o.requestTimeoutMs ?? 1000,
  });
  const registry = startRegistry(adapter, base, o);
  const abort = new AbortController();
  if (o.connect !== false) {
    await adapter.start(abort.signal);
    await until(() => sim.connected > 0);
    await until(() => sim.requests.some((r) => r.path === '/channels'), 5000, 'the connect sweep');
    await new Promise((r) => setTimeout(r, 20));
    sim.requests.length = 0;
  }
  return {
    sim,
    store: base.store,
    db: base.db,
    tdb: base.tdb,
    dir: base.dir,
    adapter,
    registry,
    mix,
    abort,
    close: async () => {
      abort.abort();
      await adapter.stop();
      await registry.stop();
      await sim.stop();
      await base.dispose();
    },
  };
}

/**
 * A channel the dialplan's MixMonitor records (`seconds` of audio in `relPath` under the harness's
 * directory) when the harness (started with connect: false) connects: resolves once its call is adopted.
 */
export async function recordingAtConnect(
  h: Harness,
  o: { relPath: (channelId: string) => string; seconds: number },
): Promise<{ channelId: string; file: string; call: CallRecord }> {
  const sim = h.sim;
  const ch = sim.addChannel({ state: 'Up' });
  const file = `${h.dir}/${o.relPath(ch.id)}`;
  writeWav(file, o.seconds);
  sim.state(ch.id)!.vars.set('MIXMONITOR_FILENAME', file);
  sim.state(ch.id)!.vars.set('CALLREC_MIXMON_ID', '0x1');
  await h.adapter.start(h.abort.signal);
  await until(async () => (await h.store.calls.findByPbxId('pbx1', ch.id)) !== null, 5000, 'adopted call');
  return { channelId: ch.id, file, call: (await h.store.calls.findByPbxId('pbx1', ch.id))! };
}
