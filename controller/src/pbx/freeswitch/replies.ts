// The one place FreeSWITCH failures become PbxErrors: the transport's (timeout, link down) and the
// switch's own reply lines. uuid_* commands answer "+OK ..." or "-ERR <reason>" / "-USAGE: ..."
// (replies in uuid-record.commands.jsonl, FreeSWITCH 1.10.12).
import { err, ok, type Result } from '../../util/result';
import type { PbxError } from '../port';
import type { EslFailure } from './esl/session';

const NOT_FOUND = [
  /^-ERR Cannot locate session/,
  /^-ERR No such channel/,
  /^-ERR no such channel/i,
  // uuid_broadcast: switch_ivr_broadcast fails only when it cannot locate the session.
  /^-ERR invalid uuid/,
  // uuid_answer: no such session, or a channel already hanging up (or one whose endpoint refused the
  // answer, which the core then hangs up): the call is gone either way (mod_commands.c, v1.10.12).
  /^-ERROR$/,
];

export function fromFailure(f: EslFailure): PbxError {
  return { kind: f.kind, detail: f.detail };
}

/** An api reply body judged: +OK is success, a missing channel is not-found, the rest rejected. */
export function judgeReply(what: string, body: string): Result<void, PbxError> {
  const line = body.trim().split('\n')[0] ?? '';
  if (line.startsWith('+OK') || line === '') return ok(undefined);
  if (NOT_FOUND.some((re) => re.test(line))) return err({ kind: 'not-found', detail: `${what}: ${line}` });
  return err({ kind: 'rejected', detail: `${what}: ${line}` });
}

export function judge(what: string, r: Result<string, EslFailure>): Result<void, PbxError> {
  return r.ok ? judgeReply(what, r.value) : err(fromFailure(r.error));
}
