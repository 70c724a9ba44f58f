// Where the running switch plays sounds from and writes recordings to (`global_getvar`), so the
// install and doctor use the switch's own directories rather than guessing from the conf path.
import type { Config } from '../../config/types';
import { createLogger } from '../../util/logger';
import { err, ok, type Result } from '../../util/result';
import { EslSession } from './esl/session';

export interface SwitchDirs {
  soundsDir: string;
  recordingsDir: string;
}

/** One short ESL session; an error names why the switch did not answer (never throws). */
export async function querySwitchDirs(esl: Config['esl'], timeoutMs = 2000): Promise<Result<SwitchDirs, string>> {
  const logger = createLogger({ level: 'error', format: 'json' });
  const where = `ESL at ${esl.host}:${esl.port}`;
  const s = await EslSession.connect({
    host: esl.host,
    port: esl.port,
    password: esl.password,
    logger,
    connectTimeoutMs: timeoutMs,
    commandTimeoutMs: timeoutMs,
  });
  if (!s.ok) return err(`${where}: ${s.error.detail}`);
  try {
    const get = async (name: string): Promise<string | null> => {
      const r = await s.value.api(`global_getvar ${name}`, timeoutMs);
      return r.ok && r.value.trim() !== '' && !r.value.startsWith('-ERR') ? r.value.trim() : null;
    };
    const soundsDir = await get('sounds_dir');
    const recordingsDir = await get('recordings_dir');
    if (!soundsDir || !recordingsDir) return err(`${where}: global_getvar sounds_dir / recordings_dir gave no answer`);
    return ok({ soundsDir, recordingsDir });
  } finally {
    s.value.close('done');
  }
}
