// A controller's call path on FreeSWITCH: the real FreeswitchAdapter (outbound-socket gate +
// inbound watcher), the real registry and store, over the ESL simulator or a real switch.
import { loadConfig } from '../../../controller/src/config';
import type { CallRegistry } from '../../../controller/src/calls/registry';
import { FreeswitchAdapter } from '../../../controller/src/pbx/freeswitch/adapter';
import { silentLogger } from '../../../controller/src/util/logger';
import { startEslSim, type EslSim } from './esl-sim';
import { openHarnessStore, startRegistry, until, type HarnessStore, type RegistryOptions } from '../call-harness';

export interface FsHarness extends HarnessStore {
  /** The simulator the watcher is connected to (null when it watches a real switch). */
  sim: EslSim | null;
  adapter: FreeswitchAdapter;
  registry: CallRegistry;
  /** Where the switch's `socket` must connect. */
  gatePort: number;
  close(): Promise<void>;
}

export interface FsHarnessOptions extends RegistryOptions {
  kind?: 'sqlite' | 'mysql';
  /** A real switch's inbound ESL; without it the harness starts the simulator. */
  esl?: { host: string; port: number; password: string };
  /** Where the switch finds <lang>/callrec/*.wav (CALLREC_ESL_SOUNDS_DIR). */
  soundsDir?: string;
  commandTimeoutMs?: number;
}

export async function startFsHarness(o: FsHarnessOptions = {}): Promise<FsHarness> {
  const sim = o.esl ? null : await startEslSim();
  const esl = o.esl ?? { host: '127.0.0.1', port: sim?.port ?? 0, password: 'ClueCon' };
  const { dispose, ...base } = await openHarnessStore(o.kind);
  const cfg = loadConfig({
    CALLREC_PBX: 'freeswitch',
    CALLREC_ESL_HOST: esl.host,
    CALLREC_ESL_PORT: String(esl.port),
    CALLREC_ESL_PASSWORD: esl.password,
    CALLREC_ESL_SOUNDS_DIR: o.soundsDir ?? '/snd',
    CALLREC_RECORDINGS_DIR: base.dir,
    CALLREC_NODE: 'pbx1',
  });
  const adapter = new FreeswitchAdapter(cfg, silentLogger(), {
    listenPort: 0,
    commandTimeoutMs: o.commandTimeoutMs ?? 1000,
  });
  const registry = startRegistry(adapter, base, o);
  const abort = new AbortController();
  await adapter.start(abort.signal);
  await until(() => adapter.status() === 'connected', 5000, 'the inbound ESL connection');
  if (sim) await sim.waitForSubscribers(1);
  return {
    ...base,
    sim,
    adapter,
    registry,
    gatePort: adapter.gatePort ?? 0,
    close: async () => {
      abort.abort();
      await adapter.stop();
      await registry.stop();
      await sim?.close();
      await dispose();
    },
  };
}
