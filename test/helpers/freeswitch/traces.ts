// Reads the real FreeSWITCH 1.10.12 traces in test/fixtures/freeswitch-1.10 (never edited,
// never invented): JSON event lines exactly as received and raw wire bytes.
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../fixtures';

export const FS_FIXTURES = path.join(FIXTURES, 'freeswitch-1.10');

export function fsFixtureText(name: string): string {
  return fs.readFileSync(path.join(FS_FIXTURES, name), 'utf8');
}

/** The raw JSON text of each event line (kept as text so the simulator sends the exact bytes). */
export function fsEventLines(name: string): string[] {
  return fsFixtureText(name)
    .split('\n')
    .filter((l) => l.trim() !== '');
}

export function fsEvents(name: string): Array<Record<string, string>> {
  return fsEventLines(name).map((l) => JSON.parse(l) as Record<string, string>);
}

export interface RecordedCommand {
  kind: string;
  cmd: string;
  reply?: string;
  result?: string;
}

/** uuid-record.commands.jsonl: the commands sent during the recorded call and their exact replies. */
export function fsCommands(): RecordedCommand[] {
  return fsEventLines('uuid-record.commands.jsonl').map((l) => JSON.parse(l) as RecordedCommand);
}
