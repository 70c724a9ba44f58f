import { redactUrl, type Config } from '../config';
import { probeAmi, probeAri } from '../pbx/asterisk/probe';
import { probeEsl } from '../pbx/freeswitch/probe';
import { migrationStatus, openDb } from '../store';
import { checkWritable } from '../util/storage';
import { configOrReport, type CliIo, type CliCommand } from './io';

interface Check { name: string; ok: boolean; detail: string }

async function dbChecks(cfg: Config): Promise<Check[]> {
  const where = redactUrl(cfg.db.url);
  const db = openDb(cfg.db.url);
  try {
    await db.knex.raw('select 1');
  } catch (e) {
    await db.close();
    return [
      { name: 'database', ok: false, detail: `${where}: ${(e as Error).message}` },
      { name: 'migrations', ok: false, detail: 'not checked: database unreachable' },
    ];
  }
  try {
    const s = await migrationStatus(db.knex);
    return [
      { name: 'database', ok: true, detail: `${where} reachable` },
      s.pending.length === 0
        ? { name: 'migrations', ok: true, detail: `${s.applied.length} applied, none pending` }
        : { name: 'migrations', ok: false, detail: `${s.pending.length} pending (${s.pending.join(', ')}): run callrec migrate` },
    ];
  } catch (e) {
    return [{ name: 'database', ok: true, detail: `${where} reachable` }, { name: 'migrations', ok: false, detail: (e as Error).message }];
  } finally {
    await db.close();
  }
}

async function pbxChecks(cfg: Config): Promise<Check[]> {
  if (cfg.pbx === 'freeswitch') {
    const esl = await probeEsl(cfg.esl);
    return [{ name: 'pbx esl', ...esl }];
  }
  const [a, m] = await Promise.all([probeAri(cfg.ari), probeAmi(cfg.ami)]);
  return [{ name: 'pbx ari', ...a }, { name: 'pbx ami', ...m }];
}

export async function runDoctor(cfg: Config): Promise<Check[]> {
  const storage = await checkWritable(cfg.recordingsDir);
  const [db, pbx] = await Promise.all([dbChecks(cfg), pbxChecks(cfg)]);
  return [...db, { name: 'recordings dir', ...storage }, ...pbx];
}

function print(io: CliIo, checks: Check[]): void {
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) io.out(`${c.ok ? 'OK  ' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
}

export const doctor: CliCommand = {
  summary: 'check the database, migrations, recordings directory and PBX connection',
  usage: 'callrec doctor',
  async run(_args, io) {
    const cfg = configOrReport(io);
    if (!cfg) {
      io.out('FAIL  configuration  see the errors above');
      return 1;
    }
    const checks = [{ name: 'configuration', ok: true, detail: cfg.configFile ?? 'defaults and environment' }, ...await runDoctor(cfg)];
    print(io, checks);
    return checks.every((c) => c.ok) ? 0 : 1;
  },
};
