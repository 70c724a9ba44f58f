// The environment of a `callrec start` child process over the ARI simulator: its own database,
// recordings and journal under `dir`, a free HTTP port, no AMI, no periodic reconciliation.
import path from 'node:path';
import { freePort } from '../net';
import type { AriSim } from './ari-sim';

export async function simControllerEnv(sim: AriSim, dir: string, dbUrl: string): Promise<Record<string, string>> {
  return {
    CALLREC_DB_URL: dbUrl,
    CALLREC_RECORDINGS_DIR: path.join(dir, 'rec'),
    CALLREC_JOURNAL_DIR: path.join(dir, 'journal'),
    CALLREC_ARI_URL: sim.url,
    CALLREC_ARI_PASSWORD: 'secret',
    CALLREC_AMI_PORT: '2',
    CALLREC_NODE: 'pbx1',
    CALLREC_HTTP_PORT: String(await freePort()),
    CALLREC_LOG_LEVEL: 'error',
    CALLREC_RECONCILE_INTERVAL_S: '0',
  };
}
