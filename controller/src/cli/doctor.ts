import { printJson, takeJson } from './output';
import { redactUrl, type Config } from '../config';
import { probeAmi, probeAri } from '../pbx/asterisk/probe';
import { probeEsl } from '../pbx/freeswitch/probe';
import { reconcileRecordings } from '../recordings/reconcile';
import { tierLengths } from '../retention/schedule';
import { createStore, migrationStatus, openDb, type Db } from '../store';
import { readJournalStatus } from '../store/journal-file';
import { silentLogger } from '../util/logger';
import { pbxInstallChecks } from './doctor-pbx';
import { checkWritable } from '../util/storage';
import { configOrReport, type CliIo, type CliCommand } from './io';
import { encryptionCheck, transcodeCheck } from './doctor-encryption';

interface Check {
  name: string;
  ok: boolean;
  warn?: boolean;
  detail: string;
}

/** The languages prompts must exist in: the account's (rules in the database) and the default. */
async function configuredLanguages(cfg: Config): Promise<string[]> {
  const db = openDb(cfg.db.url);
  try {
    const rules = await createStore(db).rules.load();
    return [...new Set([cfg.defaults.language, ...rules.account.languages])];
  } catch {
    return [cfg.defaults.language]; // the database check says why
  } finally {
    await db.close();
  }
}

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
        : {
            name: 'migrations',
            ok: false,
            detail: `${s.pending.length} pending (${s.pending.join(', ')}): run callrec migrate`,
          },
      ...(s.pending.length === 0 ? [await orphanCheck(cfg, db)] : []),
    ];
  } catch (e) {
    return [
      { name: 'database', ok: true, detail: `${where} reachable` },
      { name: 'migrations', ok: false, detail: (e as Error).message },
    ];
  } finally {
    await db.close();
  }
}

/** What a reconcile pass would do now: files without a row, rows without a file. */
async function orphanCheck(cfg: Config, db: Db): Promise<Check> {
  try {
    const r = await reconcileRecordings(
      {
        store: createStore(db),
        root: cfg.recordingsDir,
        node: cfg.node,
        pbx: cfg.pbx,
        tiers: tierLengths(cfg),
        quietMs: cfg.reconcile.quietS * 1000,
        logger: silentLogger(),
      },
      { dryRun: true },
    );
    const problems = [
      ...(r.adopted.length > 0
        ? [`${r.adopted.length} audio files without a row (callrec reconcile adopts them)`]
        : []),
      ...(r.vanished.length > 0 ? [`${r.vanished.length} completed recordings without a file`] : []),
    ];
    return problems.length === 0
      ? {
          name: 'orphans',
          ok: true,
          detail: `${r.scanned} audio files, each with a row${r.busy.length ? ` (${r.busy.length} still being written)` : ''}`,
        }
      : { name: 'orphans', ok: false, detail: problems.join('; ') };
  } catch (e) {
    return { name: 'orphans', ok: false, detail: `not checked: ${(e as Error).message}` };
  }
}

/** Call writes the database has not taken yet; long-waiting or nearly full is a failure. */
function journalCheck(cfg: Config): Check {
  const j = readJournalStatus(cfg.journal.dir, cfg.journal.maxBytes);
  if (j.depth === 0) return { name: 'journal', ok: true, detail: `${cfg.journal.dir}: empty` };
  const ageS = Math.round((Date.now() - (j.oldestAt?.getTime() ?? Date.now())) / 1000);
  const detail = `${cfg.journal.dir}: ${j.depth} call writes waiting for the database, oldest ${ageS} s, ${j.bytes} of ${j.maxBytes} bytes`;
  return { name: 'journal', ok: ageS < 300 && j.bytes < j.maxBytes * 0.9, detail };
}

async function pbxChecks(cfg: Config): Promise<Check[]> {
  if (cfg.pbx === 'freeswitch') {
    const esl = await probeEsl(cfg.esl);
    return [{ name: 'pbx esl', ...esl }];
  }
  const [a, m] = await Promise.all([probeAri(cfg.ari), probeAmi(cfg.ami)]);
  return [
    { name: 'pbx ari', ...a },
    { name: 'pbx ami', ...m },
  ];
}

export async function runDoctor(cfg: Config): Promise<Check[]> {
  const storage = await checkWritable(cfg.recordingsDir);
  const [db, pbx, languages] = await Promise.all([dbChecks(cfg), pbxChecks(cfg), configuredLanguages(cfg)]);
  const encryption = [
    ...(db.every((c) => c.ok) ? [await encryptionCheck(cfg)] : []),
    ...(await transcodeCheck(cfg).catch(() => [])),
  ];
  return [
    ...db,
    { name: 'recordings dir', ...storage },
    journalCheck(cfg),
    ...encryption,
    ...pbx,
    ...(await pbxInstallChecks(cfg, languages)),
  ];
}

function print(io: CliIo, checks: Check[]): void {
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) io.out(`${!c.ok ? 'FAIL' : c.warn ? 'WARN' : 'OK  '}  ${c.name.padEnd(width)}  ${c.detail}`);
}

export const doctor: CliCommand = {
  summary: 'check the database, migrations, recordings directory, PBX connection and what the install put on the PBX',
  usage: 'callrec doctor',
  async run(_args, io) {
    const { json } = takeJson(_args);
    const cfg = configOrReport(io);
    if (!cfg) {
      if (json)
        printJson(io, {
          ok: false,
          checks: [{ name: 'configuration', ok: false, detail: 'see the errors on stderr' }],
        });
      else io.out('FAIL  configuration  see the errors above');
      return 1;
    }
    const checks = [
      { name: 'configuration', ok: true, detail: cfg.configFile ?? 'defaults and environment' },
      ...(await runDoctor(cfg)),
    ];
    if (json) printJson(io, { ok: checks.every((c) => c.ok), checks });
    else print(io, checks);
    return checks.every((c) => c.ok) ? 0 : 1;
  },
};
