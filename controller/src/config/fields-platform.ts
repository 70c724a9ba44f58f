// Settings of where callrec runs and what it reaches: node name, database, journal, recordings
// directories, the HTTP listener and the PBX's interfaces (ARI/AMI or the event socket).
import os from 'node:os';
import { PBX_KINDS } from '../domain/vocabulary';
import { field as f } from './field';
import { anyStr, bool, dbUrl, httpUrl, int, oneOf, str, trustProxy } from './parsers';
import type { TrustProxy } from './types';

export const PLATFORM_FIELDS = [
  f('node', 'CALLREC_NODE', str(), os.hostname(), 'Name of this controller/PBX box; calls are unique per node'),
  f(
    'db.url',
    'CALLREC_DB_URL',
    dbUrl,
    'sqlite:./data/callrec.sqlite3',
    'Database: mysql://user:pass@host:3306/db, or the embedded sqlite:<path>',
    true,
  ),
  f('db.autoMigrate', 'CALLREC_DB_AUTO_MIGRATE', bool, true, 'Apply pending migrations at start'),
  f(
    'db.gateTimeoutMs',
    'CALLREC_DB_GATE_TIMEOUT_MS',
    int(50, 10000),
    300,
    'Longest the gate waits for the database to store a call step; past it the step goes to the local journal',
  ),
  f(
    'journal.dir',
    'CALLREC_JOURNAL_DIR',
    str(),
    './data/journal',
    'Local journal of call writes the database could not take in time (replayed in order when it answers)',
  ),
  f(
    'journal.maxBytes',
    'CALLREC_JOURNAL_MAX_BYTES',
    int(65536, 10737418240),
    67108864,
    'Largest the local journal may grow; a full journal loses writes (logged, callrec_journal_full_total)',
  ),
  f(
    'recordingsDir',
    'CALLREC_RECORDINGS_DIR',
    str(),
    './data/recordings',
    'Directory the PBX writes recordings to, as callrec sees it',
  ),
  f(
    'pbxRecordingsDir',
    'CALLREC_PBX_RECORDINGS_DIR',
    anyStr,
    '',
    'The same directory as the PBX sees it (default: same path)',
  ),
  f('http.host', 'CALLREC_HTTP_HOST', str(), '127.0.0.1', 'Address the HTTP API and dashboard listen on'),
  f('http.port', 'CALLREC_HTTP_PORT', int(1, 65535), 8080, 'Port of the HTTP API and dashboard'),
  f(
    'http.trustProxy',
    'CALLREC_TRUST_PROXY',
    trustProxy,
    false as TrustProxy,
    'Proxies whose X-Forwarded-For names the client (false: use the peer address): hop count or addresses',
  ),
  f('pbx', 'CALLREC_PBX', oneOf(...PBX_KINDS), 'asterisk', 'Which PBX this controller drives'),
  f('ari.url', 'CALLREC_ARI_URL', httpUrl, 'http://127.0.0.1:8088', 'Asterisk HTTP base URL (ARI lives under /ari)'),
  f('ari.user', 'CALLREC_ARI_USER', str(), 'callrec', 'ARI user (ari.conf)'),
  f('ari.password', 'CALLREC_ARI_PASSWORD', anyStr, '', 'ARI password', true),
  f('ari.app', 'CALLREC_ARI_APP', str(), 'callrec', 'Stasis application name used by the gate'),
  f('ami.host', 'CALLREC_AMI_HOST', str(), '127.0.0.1', 'Asterisk manager (AMI) host'),
  f('ami.port', 'CALLREC_AMI_PORT', int(1, 65535), 5038, 'AMI port'),
  f('ami.user', 'CALLREC_AMI_USER', str(), 'callrec', 'AMI user (manager.conf)'),
  f('ami.secret', 'CALLREC_AMI_SECRET', anyStr, '', 'AMI secret', true),
  f('esl.host', 'CALLREC_ESL_HOST', str(), '127.0.0.1', 'FreeSWITCH event socket host'),
  f('esl.port', 'CALLREC_ESL_PORT', int(1, 65535), 8021, 'FreeSWITCH event socket port'),
  f(
    'esl.password',
    'CALLREC_ESL_PASSWORD',
    anyStr,
    '',
    'FreeSWITCH event socket password: the one in event_socket.conf.xml (no default; the stock file ships ClueCon)',
    true,
  ),
  f(
    'esl.listenHost',
    'CALLREC_ESL_LISTEN_HOST',
    str(),
    '127.0.0.1',
    'Address of the outbound-socket gate FreeSWITCH connects to',
  ),
  f('esl.listenPort', 'CALLREC_ESL_LISTEN_PORT', int(1, 65535), 8084, 'Port of the outbound-socket gate'),
  f(
    'esl.soundsDir',
    'CALLREC_ESL_SOUNDS_DIR',
    str(),
    '/usr/local/freeswitch/sounds',
    'FreeSWITCH sounds directory holding <lang>/callrec/*.wav',
  ),
] as const;
